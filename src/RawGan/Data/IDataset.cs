namespace RawGan.Data;

/// <summary>
/// A labelled image data set of fixed-size images, read one sample at a time. <see cref="DataLoader"/> calls
/// <see cref="Load"/> from several threads at once, so implementations must be thread-safe, and any randomness
/// (augmentation) must come from the <c>augmentSeed</c> argument, never from shared state, so that a sample's
/// pixels depend only on its arguments and not on which thread ran first.
/// </summary>
public interface IDataset
{
    /// <summary>Number of samples.</summary>
    int Count { get; }

    /// <summary>Channels per image: 1 (grey) or 3 (RGB).</summary>
    int Channels { get; }

    int Height { get; }
    int Width { get; }

    /// <summary>Number of labels, <c>Classes.Count</c>; labels are 0 … ClassCount-1.</summary>
    int ClassCount { get; }

    /// <summary>The label names, indexed by label.</summary>
    IReadOnlyList<string> Classes { get; }

    /// <summary>
    /// Decodes and transforms sample <paramref name="index"/> into <paramref name="pixels"/>
    /// (Channels×Height×Width floats, channel-major, in [-1, 1]) and returns its label. Thread-safe. Augmentation
    /// (e.g. the horizontal flip) uses <see cref="Tensors.Philox"/> draws 0, 1, … of <paramref name="augmentSeed"/>.
    /// </summary>
    void Load(int index, Span<float> pixels, ulong augmentSeed, out int label);
}

/// <summary>The argument checks every <see cref="IDataset.Load"/> starts with.</summary>
internal static class LoadArguments
{
    public static void Check(IDataset dataset, int index, Span<float> pixels)
    {
        if ((uint)index >= (uint)dataset.Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The data set has {dataset.Count} samples.");
        int expected = dataset.Channels * dataset.Height * dataset.Width;
        if (pixels.Length != expected)
            throw new ArgumentException(
                $"The pixel buffer holds {pixels.Length} floats; one {dataset.Channels}×{dataset.Height}×{dataset.Width} image needs {expected}.",
                nameof(pixels));
    }
}
