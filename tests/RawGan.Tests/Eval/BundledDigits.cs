using RawGan.Data;

namespace RawGan.Tests.Eval;

/// <summary>The 10,000 bundled digits at 28×28 in [-1, 1] with their labels, read once from the CLI's resources.</summary>
internal static class BundledDigits
{
    public const int Pixels = 28 * 28;

    private static readonly Lazy<(float[] Images, int[] Labels)> All = new(() =>
    {
        var assembly = typeof(RawGan.Cli.DataSources).Assembly;
        using Stream images = assembly.GetManifestResourceStream("data/mnist-10k-images-idx3-ubyte.gz")!;
        using Stream labels = assembly.GetManifestResourceStream("data/mnist-10k-labels-idx1-ubyte.gz")!;
        MnistDataset data = MnistDataset.FromStreams(images, labels, "bundled");
        var pixels = new float[data.Count * Pixels];
        var classes = new int[data.Count];
        for (int i = 0; i < data.Count; i++) data.Load(i, pixels.AsSpan(i * Pixels, Pixels), 0, out classes[i]);
        return (pixels, classes);
    });

    /// <summary>The digits at <paramref name="indices"/>, as one array of images and their labels.</summary>
    public static (float[] Images, int[] Labels) Select(IReadOnlyList<int> indices)
    {
        var images = new float[indices.Count * Pixels];
        var labels = new int[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            All.Value.Images.AsSpan(indices[i] * Pixels, Pixels).CopyTo(images.AsSpan(i * Pixels));
            labels[i] = All.Value.Labels[indices[i]];
        }
        return (images, labels);
    }

    /// <summary>The first <paramref name="count"/> indices of one split (held out of the judge's training, or not).</summary>
    public static int[] Split(bool heldOut, int count) =>
        Enumerable.Range(0, 10_000).Where(i => RawGan.Eval.DigitJudge.IsHeldOut(i) == heldOut).Take(count).ToArray();
}
