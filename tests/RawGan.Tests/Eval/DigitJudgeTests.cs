using RawGan.Data;
using RawGan.Eval;
using RawGan.Tests.Golden;

namespace RawGan.Tests.Eval;

public class DigitJudgeTests
{
    private static readonly DigitJudge Judge = DigitJudge.LoadEmbedded();

    private static double Accuracy(JudgedImages judged, int[] labels) =>
        Enumerable.Range(0, labels.Length).Count(i => judged.Predicted(i) == labels[i]) / (double)labels.Length;

    [Fact]
    public void EmbeddedJudgeReadsHeldOutDigitsAtLeast97PercentRight()
    {
        (float[] images, int[] labels) = BundledDigits.Select(BundledDigits.Split(heldOut: true, 2000));
        JudgedImages judged = Judge.Judge(images, labels.Length);
        Assert.InRange(Accuracy(judged, labels), 0.97, 1.0);

        DigitScores scores = DigitScores.Compute(judged, FeatureStatistics.From(judged.Features), labels);
        Assert.Equal(Accuracy(judged, labels), scores.Accuracy!.Value, 12);
        Assert.All(scores.AccuracyPerLabel!, a => Assert.InRange(a, 0.9, 1.0));
        Assert.InRange(scores.InceptionScore, 9.0, 10.0); // ten classes, about evenly used, confidently read
        Assert.InRange(scores.MeanConfidence, 0.95, 1.0);
        Assert.InRange(scores.FrechetDistance, -1e-3, 1e-3); // against its own statistics (dead ReLU units: zero eigenvalues, whose square roots amplify rounding)
    }

    [Fact]
    public void ShuffledLabelsScoreAboutOneInTen()
    {
        (float[] images, int[] labels) = BundledDigits.Select(BundledDigits.Split(heldOut: true, 1000));
        int[] shuffled = new RawGan.Tensors.Generator(5).Permutation(labels.Length).Select(i => labels[i]).ToArray();
        DigitScores scores = DigitScores.Compute(Judge.Judge(images, labels.Length), RealStatistics(), shuffled);
        Assert.InRange(scores.Accuracy!.Value, 0.06, 0.14);
    }

    [Fact]
    public void RealVersusRealFloorIsFarBelowBlurredDigits()
    {
        (float[] heldOut, _) = BundledDigits.Select(BundledDigits.Split(heldOut: true, 1000));
        double floor = DigitScores.Compute(Judge.Judge(heldOut, 1000), RealStatistics()).FrechetDistance;
        float[] flat = heldOut.Select(v => v * 0.2f - 0.6f).ToArray(); // faint, low-contrast digits
        double faint = DigitScores.Compute(Judge.Judge(flat, 1000), RealStatistics()).FrechetDistance;
        Assert.True(floor > 0 && floor * 10 < faint, $"held-out vs training {floor}, faint digits {faint}");
    }

    [Fact]
    public void DcganSizedColourImagesAreResizedAndGreyed()
    {
        float[] image = Enumerable.Repeat(-1f, 3 * 32 * 32).ToArray();
        float[] input = DigitScores.ToJudgeInput(image, 1, 3, 32, 32);
        Assert.Equal(DigitJudge.ImageSize * DigitJudge.ImageSize, input.Length);
        Assert.All(input, v => Assert.Equal(-1f, v, 5));
    }

    [Fact]
    public void GeneratorReturningTrainingImagesIsFlaggedAsMemorising()
    {
        (float[] training, _) = BundledDigits.Select(BundledDigits.Split(heldOut: false, 300));
        (float[] fresh, _) = BundledDigits.Select(BundledDigits.Split(heldOut: true, 20));
        int[] copied = [3, 50, 77, 120, 199, 250, 4, 8, 15, 16, 23, 42, 100, 101, 102, 150, 210, 260, 280, 299];
        var samples = new float[(copied.Length + 20) * BundledDigits.Pixels];
        for (int i = 0; i < copied.Length; i++)
            training.AsSpan(copied[i] * BundledDigits.Pixels, BundledDigits.Pixels).CopyTo(samples.AsSpan(i * BundledDigits.Pixels));
        fresh.CopyTo(samples, copied.Length * BundledDigits.Pixels);

        int count = copied.Length + 20;
        MemorisationReport report = MemorisationReport.Check(
            Distances.ToMatrix(samples, count), Distances.ToMatrix(training, 300),
            Judge.Judge(samples, count).Features, Judge.Judge(training, 300).Features);

        for (int i = 0; i < copied.Length; i++)
        {
            Assert.Equal(copied[i], report.NearestInPixels[i]);
            Assert.True(report.PixelDistance[i] < report.TrainingPixelSpacing);
        }
        Assert.InRange(report.CloserInPixels, copied.Length, copied.Length + 2);
        Assert.InRange(report.CloserInFeatures, copied.Length, copied.Length + 2);
        Assert.StartsWith($"{report.CloserInPixels} of {count} samples are closer to a training image", report.Summary);

        string png = Path.Combine(Path.GetTempPath(), $"rawgan-memorisation-{Guid.NewGuid():N}.png");
        try
        {
            report.SavePairs(png, Distances.ToMatrix(samples, count), Distances.ToMatrix(training, 300), 1, 28, 28, pairs: 4);
            Assert.True(new FileInfo(png).Length > 100);
        }
        finally { File.Delete(png); }
    }

    [Fact]
    public void EmbeddedReferenceStatisticsAreTheJudgesOfTheDigitsItTrainedOn()
    {
        (float[] images, _) = BundledDigits.Select(BundledDigits.Split(heldOut: false, 8000));
        FeatureStatistics expected = Judge.ReferenceStatistics(images), embedded = DigitJudge.EmbeddedReference();
        Assert.Equal(DigitJudge.FeatureSize, embedded.Dimension);
        // Written on the development machine's CPU; another CPU's float32 sums may round differently.
        double scale = expected.Sigma.Cast<double>().Max(Math.Abs);
        Close.Assert("mu", expected.Mu, embedded.Mu, 1e-5 * expected.Mu.Max(Math.Abs), 0);
        Close.Assert("sigma", expected.Sigma.Cast<double>().ToArray(), embedded.Sigma.Cast<double>().ToArray(), 1e-5 * scale, 0);
    }

    /// <summary>A DCGAN's digits are 32×32. Resized from MNIST's 28 and back, real digits come out blurred enough for
    /// the judge to place them well off the real ones (tools/bench/RESULTS.md: 16.4 against the floor's 4.5); padded
    /// (--resize pad) and cut back, they come out exactly as they were.</summary>
    [Fact]
    public void Padded_digits_come_back_exactly_where_resized_ones_blur()
    {
        (float[] heldOut, _) = BundledDigits.Select(BundledDigits.Split(heldOut: true, 1000));
        float[] RoundTrip(ResizeMode mode)
        {
            var transform = new ImageTransform(32, mode);
            var digit = new float[BundledDigits.Pixels];
            var large = new float[1000 * 32 * 32];
            for (int i = 0; i < 1000; i++)
            {
                for (int p = 0; p < digit.Length; p++) digit[p] = (heldOut[i * BundledDigits.Pixels + p] + 1) * 255 / 2;
                transform.Apply(digit, 1, 28, 28, large.AsSpan(i * 32 * 32, 32 * 32), flip: false);
            }
            return DigitScores.ToJudgeInput(large, 1000, 1, 32, 32, mode);
        }
        double Distance(float[] digits) => DigitScores.Compute(Judge.Judge(digits, 1000), RealStatistics()).FrechetDistance;

        Assert.Equal(heldOut, RoundTrip(ResizeMode.Pad), (a, b) => Math.Abs(a - b) < 1e-5);
        double floor = Distance(heldOut), resized = Distance(RoundTrip(ResizeMode.CenterCrop));
        Assert.True(resized > 2 * floor, $"held-out digits {floor}, resized to 32 and back {resized}");
    }

    private static readonly Lazy<FeatureStatistics> Real = new(() =>
    {
        (float[] images, _) = BundledDigits.Select(BundledDigits.Split(heldOut: false, 2000));
        return FeatureStatistics.From(Judge.Judge(images, 2000).Features);
    });

    private static FeatureStatistics RealStatistics() => Real.Value;
}
