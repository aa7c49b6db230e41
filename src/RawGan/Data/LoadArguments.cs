namespace RawGan.Data;

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
