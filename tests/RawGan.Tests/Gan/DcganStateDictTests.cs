using RawGan.Gan.Models;
using RawGan.Nn;
using RawGan.Tests.Golden;
using RawGan.Tensors;

namespace RawGan.Tests.Gan;

/// <summary>A DCGAN's state_dict names and shapes equal the PyTorch DCGAN's (lists written by PyTorch in
/// tools/golden/make_golden.py), so checkpoints move between RawGan and PyTorch.</summary>
public class DcganStateDictTests
{
    [Theory]
    [InlineData("dcgan32_state_dict.txt", 32)]
    [InlineData("dcgan_state_dict.txt", 64)]
    [InlineData("dcgan128_state_dict.txt", 128)]
    public void Names_and_shapes_match_pytorch(string file, int size)
    {
        (List<string> g, List<string> d) = Read(GoldenFile.DataPath(file));
        Assert.Equal(g, Describe(new DcganGenerator(100, 64, 3, size)));
        Assert.Equal(d, Describe(new DcganDiscriminator(64, 3, size)));
    }

    private static List<string> Describe(Module m) =>
        m.StateDict().Select(e => $"{e.Name}\t{string.Join(",", e.Value.Shape.Dims.ToArray())}").ToList();

    private static (List<string> G, List<string> D) Read(string path)
    {
        var g = new List<string>();
        var d = new List<string>();
        List<string>? section = null;
        foreach (string line in File.ReadLines(path))
        {
            if (line == "# generator") section = g;
            else if (line == "# discriminator") section = d;
            else if (!line.StartsWith('#') && line.Length > 0) section!.Add(line);
        }
        return (g, d);
    }
}

/// <summary>Weights PyTorch wrote (the DCGAN-32 of the training golden file, saved as PyTorch's safetensors would:
/// float32 tensors, int64 num_batches_tracked) load into RawGan's generator under the same names.</summary>
public class PyTorchWeightsTests : IDisposable
{
    private readonly string _path = Path.GetTempFileName();

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void A_pytorch_state_dict_in_safetensors_loads_into_the_generator()
    {
        var g = GoldenFile.Load("train_dcgan32");
        const string prefix = "init.G.";
        var entries = g.Names.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Select(n => n.EndsWith("num_batches_tracked", StringComparison.Ordinal)
            ? RawGan.IO.SafeTensorEntry.FromValues<long>(n[prefix.Length..], [], [g.I32(n)[0]])
            : RawGan.IO.SafeTensorEntry.FromValues<float>(n[prefix.Length..], g.Dims(n), g.F32(n))).ToList();
        RawGan.IO.SafeTensors.Write(_path, entries);

        var generator = new DcganGenerator(100, 16, 1, 32);
        generator.LoadStateDict(RawGan.Gan.Checkpoint.Section(RawGan.IO.SafeTensors.Read(_path), ""));

        Assert.Equal(entries.Count, generator.StateDict().Count);
        foreach ((string name, Tensor value) in generator.StateDict())
        {
            double[] expected = name.EndsWith("num_batches_tracked", StringComparison.Ordinal)
                ? [g.I32(prefix + name)[0]]
                : g.F32(prefix + name).Select(v => (double)v).ToArray();
            Assert.Equal(expected, value.ToDoubleArray());
        }
    }
}
