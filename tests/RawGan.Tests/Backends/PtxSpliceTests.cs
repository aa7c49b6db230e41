using System.Text.RegularExpressions;
using RawGan.Backends.Cuda;

namespace RawGan.Tests.Backends;

/// <summary>The include step of kernels/*.ptx (PtxSplice): what replaces an include line, and the errors that name
/// the file and line.</summary>
public class PtxSpliceTests
{
    private const string Helpers = "// header\n\n//@helper m_a\n.func m_a()\n{\n}\n//@end m_a\n\n//@helper m_b\n.func m_b()\n{\n}\n//@end m_b\n";

    [Fact]
    public void An_include_line_becomes_the_helper_block_with_its_markers()
    {
        string ptx = ".version 7.8\n//@include m_b\n//@include m_a\n// //@include m_a is a comment here\nret;\n";
        Assert.Equal(".version 7.8\n//@helper m_b\n.func m_b()\n{\n}\n//@end m_b\n//@helper m_a\n.func m_a()\n{\n}\n//@end m_a\n"
            + "// //@include m_a is a comment here\nret;\n", PtxSplice.Expand("k.ptx", ptx, Helpers));
        Assert.Equal("ret;", PtxSplice.Expand("k.ptx", "ret;", Helpers));
    }

    [Fact]
    public void Unknown_or_unterminated_helpers_name_the_file_and_line()
    {
        var unknown = Assert.Throws<InvalidOperationException>(() => PtxSplice.Expand("k.ptx", "\n//@include m_c\n", Helpers));
        Assert.Equal("kernels/k.ptx line 2: no helper named m_c in kernels/common.ptxinc.", unknown.Message);
        var open = Assert.Throws<InvalidOperationException>(() => PtxSplice.Expand("k.ptx", "", "\n//@helper m_a\n.func m_a()\n"));
        Assert.Equal("kernels/common.ptxinc line 2: //@helper m_a has no //@end m_a.", open.Message);
        var twice = Assert.Throws<InvalidOperationException>(() => PtxSplice.Expand("k.ptx", "", Helpers + "//@helper m_a\n//@end m_a\n"));
        Assert.Contains("a second helper named m_a", twice.Message);
    }

    /// <summary>A helper lives in common.ptxinc only: no kernel file has its own copy.</summary>
    [Fact]
    public void No_kernel_file_defines_a_helper_of_common_ptxinc()
    {
        string[] helpers = [.. Regex.Matches(KernelModules.ReadEmbedded(PtxSplice.HelpersFile)!, @"^//@helper (\w+)$", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value)];
        Assert.NotEmpty(helpers);
        foreach (string file in KernelModules.EmbeddedFiles())
        {
            string ptx = KernelModules.ReadEmbedded(file)!;
            foreach (string helper in helpers)
                Assert.False(Regex.IsMatch(ptx, $@"^\.func\b[^{{]*\b{helper}\(", RegexOptions.Multiline), $"kernels/{file} defines {helper}, which common.ptxinc has");
        }
    }
}
