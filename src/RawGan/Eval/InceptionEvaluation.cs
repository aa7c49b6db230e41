namespace RawGan.Eval;

/// <summary>FID, KID, IS and precision/recall of generated images against real ones, through the FID Inception-v3:
/// the numbers the field publishes (comparable with papers' when the real set and count are theirs). Against
/// reference statistics alone (a pytorch-fid .npz), only FID and IS can be computed: <see cref="Kid"/>,
/// <see cref="Precision"/> and <see cref="Recall"/> need the real features and are null there. Between two sets
/// of which one is smaller than FID's 2,048 features (a small data set's memorisation check), <see cref="Fid"/> is
/// null and the rest is computed.</summary>
public sealed record InceptionEvaluation(double? Fid, KidResult? Kid, double InceptionScore, double InceptionScoreStd,
                                         double? Precision, double? Recall, InceptionResize Resize)
{
    /// <summary>
    /// Features of <paramref name="generated"/> and <paramref name="real"/> (each count × channels × size × size in
    /// [-1, 1]) through <paramref name="net"/>, then <see cref="Compare(JudgedImages, JudgedImages, InceptionResize)"/>.
    /// </summary>
    public static InceptionEvaluation Run(InceptionV3 net, float[] generated, float[] real, int channels, int size,
                                          InceptionResize resize, int batchSize = 50, Action<string>? progress = null)
    {
        int pixels = channels * size * size, count = generated.Length / pixels, realCount = real.Length / pixels;
        FrechetDistance.RequireEnough(count, InceptionV3.FeatureSize, "generated images");
        FrechetDistance.RequireEnough(realCount, InceptionV3.FeatureSize, "real images");
        JudgedImages fake = net.Judge(generated, count, channels, size, size, resize, batchSize, done => progress?.Invoke($"Inception: generated {done}/{count}"));
        JudgedImages truth = net.Judge(real, realCount, channels, size, size, resize, batchSize, done => progress?.Invoke($"Inception: real {done}/{realCount}"));
        progress?.Invoke("FID, KID, IS, precision and recall");
        return Compare(fake, truth, resize);
    }

    /// <summary>Every number from both sets' Inception outputs: FID from their means and covariances, KID from the
    /// features (the KID paper's subsets), IS over 10 splits of the generated images' class probabilities, and
    /// precision/recall (k = 3) in pool3 space. FID is left out (null) when either set has fewer than 2,048 images.</summary>
    public static InceptionEvaluation Compare(JudgedImages generated, JudgedImages real, InceptionResize resize)
    {
        RequireInception(generated);
        RequireInception(real);
        bool enough = Math.Min(generated.Count, real.Count) >= InceptionV3.FeatureSize;
        InceptionEvaluation scores = enough ? Compare(generated, FeatureStatistics.From(real.Features), resize) : WithoutReal(generated, null, resize);
        (double precision, double recall) = PrecisionRecall.Compute(real.Features, generated.Features);
        return scores with { Kid = KernelInceptionDistance.Compute(real.Features, generated.Features), Precision = precision, Recall = recall };
    }

    /// <summary>FID against a real set's pool3 statistics (<paramref name="real"/>, e.g. read from a pytorch-fid
    /// .npz) and the generated images' IS; the rest needs the real features and is null.</summary>
    public static InceptionEvaluation Compare(JudgedImages generated, FeatureStatistics real, InceptionResize resize)
    {
        RequireInception(generated);
        FrechetDistance.RequireEnough(generated.Count, InceptionV3.FeatureSize, "generated images");
        return WithoutReal(generated, FrechetDistance.Compute(real, FeatureStatistics.From(generated.Features)), resize);
    }

    private static InceptionEvaluation WithoutReal(JudgedImages generated, double? fid, InceptionResize resize)
    {
        (double isMean, double isStd) = Eval.InceptionScore.Compute(generated.Probabilities);
        return new InceptionEvaluation(fid, null, isMean, isStd, null, null, resize);
    }

    private static void RequireInception(JudgedImages images)
    {
        if (images.Features.GetLength(1) != InceptionV3.FeatureSize || images.Probabilities.GetLength(1) != InceptionV3.ClassCount)
            throw new ArgumentException($"Inception-v3 outputs have {InceptionV3.FeatureSize} features and {InceptionV3.ClassCount} classes, " +
                                        $"got {images.Features.GetLength(1)} and {images.Probabilities.GetLength(1)}.");
    }
}
