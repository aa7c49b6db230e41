namespace RawGan.Eval;

/// <summary>FID, KID and IS of generated images against real ones, through the FID Inception-v3: the numbers
/// the field publishes (comparable with papers' when the real set and count are theirs).</summary>
public sealed record InceptionEvaluation(double Fid, KidResult Kid, double InceptionScore, double InceptionScoreStd, InceptionResize Resize)
{
    /// <summary>
    /// Features of <paramref name="generated"/> and <paramref name="real"/> (each count × channels × size × size in
    /// [-1, 1]); FID from their means and covariances, KID from the features (the KID paper's subsets), IS over 10
    /// splits of the generated images' class probabilities.
    /// </summary>
    public static InceptionEvaluation Run(InceptionV3 net, float[] generated, float[] real, int channels, int size,
                                          InceptionResize resize, int batchSize = 50, Action<string>? progress = null)
    {
        int pixels = channels * size * size, count = generated.Length / pixels, realCount = real.Length / pixels;
        FrechetDistance.RequireEnough(count, InceptionV3.FeatureSize, "generated images");
        FrechetDistance.RequireEnough(realCount, InceptionV3.FeatureSize, "real images");
        JudgedImages fake = net.Judge(generated, count, channels, size, size, resize, batchSize, done => progress?.Invoke($"Inception: generated {done}/{count}"));
        JudgedImages truth = net.Judge(real, realCount, channels, size, size, resize, batchSize, done => progress?.Invoke($"Inception: real {done}/{realCount}"));
        double fid = FrechetDistance.Compute(FeatureStatistics.From(truth.Features), FeatureStatistics.From(fake.Features));
        KidResult kid = KernelInceptionDistance.Compute(truth.Features, fake.Features);
        (double isMean, double isStd) = Eval.InceptionScore.Compute(fake.Probabilities);
        return new InceptionEvaluation(fid, kid, isMean, isStd, resize);
    }
}
