namespace RawGan.Data;

/// <summary>
/// One batch from <see cref="DataLoader"/>: batch <paramref name="Index"/> of epoch <paramref name="Epoch"/>, with
/// <paramref name="Images"/> (Count×C×H×W floats in [-1, 1]) and <paramref name="Labels"/> (Count). The last batch
/// of an epoch may be smaller when the loader keeps partial batches; the arrays are then exactly that size.
/// </summary>
public sealed record Batch(int Epoch, int Index, float[] Images, int[] Labels)
{
    /// <summary>Number of samples in this batch.</summary>
    public int Count => Labels.Length;
}
