using System.Text.RegularExpressions;
using RawGan.GpuEmulator.Ptx;

namespace RawGan.GpuEmulator.Tests.Ptx;

/// <summary>Every kernels/*.ptx file parses and decodes, and lists exactly its <c>.visible .entry</c>s.</summary>
public partial class PtxKernelFileTests
{
    [Fact]
    public void Every_kernel_file_parses_and_lists_its_entries()
    {
        string[] files = Directory.GetFiles(PtxTestSupport.KernelDirectory(), "*.ptx");
        Assert.NotEmpty(files);
        foreach (string path in files)
        {
            string text = File.ReadAllText(path);
            PtxModule module = PtxTestSupport.KernelModule(Path.GetFileName(path));
            string[] declared = [.. EntryPattern().Matches(text).Select(m => m.Groups[1].Value)];
            Assert.NotEmpty(declared);
            Assert.Equal(declared, module.Entries);
            foreach (string entry in declared)
                Assert.All(module.Kernel(entry).Parameters, p => Assert.Contains(p.Type, new[] { "u64", "u32", "b32", "f32", "f64" }));
        }
    }

    [GeneratedRegex(@"^\s*\.visible\s+\.entry\s+(\w+)", RegexOptions.Multiline)]
    private static partial Regex EntryPattern();

    [Fact]
    public void Kernel_parameters_are_listed_in_order_with_type_and_size()
    {
        PtxKernel fill = PtxTestSupport.KernelModule("elementwise.ptx").Kernel("fill_f32");
        Assert.Equal([("y", "u64", 8), ("n", "u64", 8), ("value", "b32", 4)], fill.Parameters);
    }

    [Fact]
    public void Unknown_kernel_names_the_file()
    {
        var e = Assert.Throws<KeyNotFoundException>(() => PtxTestSupport.KernelModule("elementwise.ptx").Kernel("nope_f32"));
        Assert.Contains("elementwise.ptx", e.Message);
        Assert.Contains("nope_f32", e.Message);
    }
}
