using RawGan.Data;
using RawGan.Tensors;

namespace RawGan.Tests.Gan;

/// <summary>A labelled synthetic data set of smooth random images, small enough for a test to train on.</summary>
internal sealed class TinyDataset(int count, int channels, int size, int classes) : IDataset
{
    public int Count => count;
    public int Channels => channels;
    public int Height => size;
    public int Width => size;
    public int ClassCount => classes;
    public IReadOnlyList<string> Classes { get; } = Enumerable.Range(0, classes).Select(i => i.ToString()).ToArray();

    public void Load(int index, Span<float> pixels, ulong augmentSeed, out int label)
    {
        label = index % classes;
        for (int i = 0; i < pixels.Length; i++)
            pixels[i] = (float)Math.Tanh(Philox.Normal((ulong)index, (ulong)i) + label - classes / 2.0);
    }
}
