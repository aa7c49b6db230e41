using RawGan.Gan.Models;
using RawGan.Nn;
using RawGan.Tests.Golden;

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
