using System.Collections.Concurrent;

namespace RawGan.GpuEmulator.Ptx;

/// <summary>Shared helpers of the interpreter tests: the repository's kernels/*.ptx modules (parsed once) and
/// small hand-written kernels.</summary>
internal static class PtxTestSupport
{
    private static readonly ConcurrentDictionary<string, PtxModule> Modules = new();

    public const string Header = ".version 7.8\n.target sm_80\n.address_size 64\n";

    /// <summary>The folder holding RawGan.sln, found by walking up from the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RawGan.sln"))) return dir.FullName;
        Assert.Skip("the test assembly is not inside a RawGan checkout, so there are no kernels/*.ptx");
        return "";
    }

    public static string KernelDirectory() => Path.Combine(RepositoryRoot(), "kernels");

    /// <summary>kernels/<paramref name="file"/> spliced as the CUDA backend loads it, parsed once per test run.</summary>
    public static PtxModule KernelModule(string file) => Modules.GetOrAdd(file, f => PtxModule.Parse(
        RawGan.Backends.Cuda.PtxSplice.Expand(f, File.ReadAllText(Path.Combine(KernelDirectory(), f)),
            File.ReadAllText(Path.Combine(KernelDirectory(), RawGan.Backends.Cuda.PtxSplice.HelpersFile))), f));

    public const string SnippetKernel = "test_kernel", SnippetFile = "snippet.ptx";

    /// <summary>The text of a module with one entry <c>test_kernel(.param .u64 out, .param .u64 in)</c> whose body is
    /// <paramref name="body"/>; %out and %in hold the two pointers, %tx the thread index (.u32).</summary>
    public static string SnippetText(string body, string preamble = "") =>
        Header + preamble + $"\n.visible .entry {SnippetKernel}(.param .u64 out, .param .u64 in)\n{{\n"
        + "\t.reg .u64 %out, %in;\n\t.reg .u32 %tx;\n\tld.param.u64 %out, [out];\n\tld.param.u64 %in, [in];\n"
        + "\tmov.u32 %tx, %tid.x;\n" + body + "\n}\n";

    public static PtxModule Snippet(string body, string preamble = "") => PtxModule.Parse(SnippetText(body, preamble), SnippetFile);

    /// <summary>The 1-based line of the only line of <paramref name="text"/> containing <paramref name="fragment"/>.</summary>
    public static int LineOf(string text, string fragment)
    {
        string[] lines = text.Split('\n');
        int[] hits = [.. Enumerable.Range(0, lines.Length).Where(i => lines[i].Contains(fragment))];
        Assert.True(hits.Length == 1, $"'{fragment}' occurs on {hits.Length} lines");
        return hits[0] + 1;
    }

    /// <summary>Runs <see cref="Snippet"/> with one block of <paramref name="threads"/> threads on
    /// <paramref name="input"/>; returns the first <paramref name="outputWords"/> 32-bit words of out.</summary>
    public static uint[] Run(string body, int outputWords, uint[]? input = null, uint threads = 1, string preamble = "")
    {
        var memory = new PtxMemory();
        ulong output = memory.Allocate(outputWords * 4L);
        ulong inputAddress = memory.Upload<uint>(input ?? [0]);
        Snippet(body, preamble).Kernel(SnippetKernel).Launch(memory, 1, 1, threads, 0, [output, inputAddress]);
        return memory.Read<uint>(output, outputWords);
    }

    public static uint Bits(float value) => BitConverter.SingleToUInt32Bits(value);
    public static float Float(uint bits) => BitConverter.UInt32BitsToSingle(bits);
}
