using RawGan.Data;

namespace RawGan.Eval;

/// <summary>
/// What the bundled digit judge says about a set of generated digits. These are sanity numbers for RawGan's
/// bundled data, measured by a small classifier trained on 8,000 digits: they are not comparable with the FID or
/// IS that papers publish, which use Inception-v3 features of 50,000 images.
/// <list type="bullet">
/// <item><see cref="Accuracy"/>: for conditional models, the fraction of samples the judge reads as the label they
/// were asked for (<see cref="AccuracyPerLabel"/> per label: the single-class failure shows here). Null when no
/// labels were requested.</item>
/// <item><see cref="FrechetDistance"/>: the Fréchet distance between the samples' and the real digits' judge features.</item>
/// <item><see cref="InceptionScore"/>: the IS formula on the judge's 10 class probabilities (at most 10; real digits
/// score about 9.5).</item>
/// <item><see cref="MeanConfidence"/>: the judge's mean top-class probability (blurry or ambiguous digits score low).</item>
/// </list>
/// </summary>
public sealed record DigitScores(double? Accuracy, double[]? AccuracyPerLabel, double FrechetDistance, double InceptionScore, double MeanConfidence)
{
    /// <summary>Scores judged samples against <paramref name="reference"/> (the real digits' judge feature
    /// statistics). <paramref name="requestedLabels"/> are the labels a conditional generator was given, or null.</summary>
    public static DigitScores Compute(JudgedImages samples, FeatureStatistics reference, int[]? requestedLabels = null)
    {
        Eval.FrechetDistance.RequireEnough(samples.Count, DigitJudge.FeatureSize, "digit judge's Fréchet distance");
        return Compute(FeatureStatistics.From(samples.Features), samples.Probabilities, reference, requestedLabels);
    }

    /// <summary>The same scores from the samples' feature statistics and class <paramref name="probabilities"/>
    /// [N, 10], for a caller that reduced the features where they were computed (on the device, during training).</summary>
    public static DigitScores Compute(FeatureStatistics samples, double[,] probabilities, FeatureStatistics reference, int[]? requestedLabels = null)
    {
        int count = probabilities.GetLength(0);
        Eval.FrechetDistance.RequireEnough(count, DigitJudge.FeatureSize, "digit judge's Fréchet distance");
        double[]? perLabel = null;
        double? accuracy = null;
        if (requestedLabels is not null)
        {
            if (requestedLabels.Length != count)
                throw new ArgumentException($"{requestedLabels.Length} requested labels for {count} samples.");
            var hits = new int[DigitJudge.ClassCount];
            var totals = new int[DigitJudge.ClassCount];
            for (int i = 0; i < count; i++)
            {
                totals[requestedLabels[i]]++;
                if (JudgedImages.Predicted(probabilities, i) == requestedLabels[i]) hits[requestedLabels[i]]++;
            }
            perLabel = Enumerable.Range(0, DigitJudge.ClassCount).Select(k => totals[k] == 0 ? double.NaN : hits[k] / (double)totals[k]).ToArray();
            accuracy = hits.Sum() / (double)count;
        }
        double confidence = Enumerable.Range(0, count).Average(i => probabilities[i, JudgedImages.Predicted(probabilities, i)]);
        return new DigitScores(accuracy, perLabel, Eval.FrechetDistance.Compute(samples, reference),
            Eval.InceptionScore.Compute(probabilities).Mean, confidence);
    }

    /// <summary>
    /// Images of any size and channel count (count × C × H × W, RawGan's [-1, 1]) as the judge reads them: the
    /// channels averaged to gray and each image brought to 28×28 as the inverse of <paramref name="madeBy"/>, how the
    /// generator's training digits were made from MNIST's: resized with the anti-aliased resampler the data uses (a
    /// DCGAN's 32×32 digits shrink to MNIST's size, a little blurred by the round trip), or, for
    /// <see cref="ResizeMode.Pad"/>, the centre 28×28 cut out unresampled, which gives a padded digit back exactly.
    /// </summary>
    public static float[] ToJudgeInput(ReadOnlySpan<float> images, int count, int channels, int height, int width, ResizeMode madeBy = ResizeMode.CenterCrop)
    {
        const int Side = DigitJudge.ImageSize;
        int size = channels * height * width, plane = height * width;
        if (images.Length != (long)count * size) throw new ArgumentException($"{count} images of {channels}×{height}×{width} are {count * size} values, got {images.Length}.");
        if (channels == 1 && height == Side && width == Side) return images.ToArray();
        var output = new float[count * Side * Side];
        var gray = new float[plane];
        for (int n = 0; n < count; n++)
        {
            ReadOnlySpan<float> image = images.Slice(n * size, size);
            for (int p = 0; p < plane; p++)
            {
                float sum = 0;
                for (int c = 0; c < channels; c++) sum += image[c * plane + p];
                gray[p] = sum / channels;
            }
            if (madeBy == ResizeMode.Pad) CentreCanvas.Place(gray, 1, height, width, output.AsSpan(n * Side * Side, Side * Side), Side, Side, background: -1);
            else Resample.Planar(gray, 1, height, width, new Resample.Box(0, 0, width, height), Side, Side).CopyTo(output, n * Side * Side);
        }
        return output;
    }
}
