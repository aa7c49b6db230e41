using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using RawGan.Tensors;

namespace RawGan.Tests.Architecture;

/// <summary>Nothing reaches up: every use of one of RawGan.Core's types by another respects <see cref="Layers"/>,
/// and the CLI knows the backends only through RawGan.Backends.</summary>
public class LayeringTests
{
    [Fact]
    public void No_namespace_uses_a_higher_layer()
    {
        var unknown = new SortedSet<string>();
        var upward = new SortedSet<string>();
        foreach ((string from, string to) in TypeReferences.Read(typeof(Tensor).Assembly.Location))
        {
            if (!IsOurs(from) || !IsOurs(to)) continue; // <Module>, compiler-embedded attributes
            int a = Layers.Of(Namespace(from)), b = Layers.Of(Namespace(to));
            if (a < 0) unknown.Add(Namespace(from));
            else if (b > a) upward.Add($"{from} -> {to} ({Layers.BottomUp[a].Name} uses {Layers.BottomUp[b].Name})");
        }
        Assert.True(unknown.Count == 0, "Namespaces missing from the layer table (Architecture/Layers.cs): " + string.Join(", ", unknown));
        Assert.True(upward.Count == 0, $"{upward.Count} upward reference(s):\n" + string.Join("\n", upward));
    }

    [Fact]
    public void The_reader_sees_the_uses_the_rule_is_about()
    {
        var pairs = TypeReferences.Read(typeof(Tensor).Assembly.Location).ToHashSet();
        Assert.Contains(("RawGan.Ops.F", "RawGan.Autograd.Node"), pairs);              // a constructor call in IL
        Assert.Contains(("RawGan.Backends.Cpu.CpuBackend", "RawGan.Backends.IBackend"), pairs); // an interface
        Assert.Contains(("RawGan.Nn.Linear", "RawGan.Nn.Module"), pairs);               // a base type
        Assert.Contains(("RawGan.Ops.TensorOperators", "RawGan.Ops.F"), pairs);         // inside an extension block
    }

    [Fact]
    public void The_cli_knows_the_backends_only_through_their_contract()
    {
        using var pe = new PEReader(File.OpenRead(typeof(RawGan.Cli.DeviceChoice).Assembly.Location));
        MetadataReader reader = pe.GetMetadataReader();
        string[] devices = [.. reader.TypeReferences.Select(h => reader.GetTypeReference(h))
            .Select(t => $"{reader.GetString(t.Namespace)}.{reader.GetString(t.Name)}")
            .Where(n => Layers.Of(Namespace(n)) == Layers.Of("RawGan.Backends.Cuda"))];
        Assert.True(devices.Length == 0, "The CLI names device backends: " + string.Join(", ", devices));
    }

    private static bool IsOurs(string type) => type.StartsWith("RawGan.", StringComparison.Ordinal);

    private static string Namespace(string type) => type[..type.LastIndexOf('.')];
}
