using System.Diagnostics;
using System.Text;
using RawGan.Backends.Cuda;

namespace RawGan.Tests.Backends;

/// <summary>Every kernel in kernels/*.ptx assembles with ptxas for sm_80 and sm_90 (tools/check-ptx.sh), so a PTX
/// error is caught without a GPU. Skipped, never passed, where the script cannot obtain ptxas (no root, no apt).</summary>
public class PtxAssemblyTests
{
    [Fact]
    public async Task All_kernels_assemble_for_sm80_and_sm90()
    {
        (int exitCode, string stdout, string stderr) = await CheckPtx();
        string output = stdout + stderr;
        if (exitCode == 3) Assert.Skip(output.Trim());
        Assert.True(exitCode == 0, output);
        Assert.Contains("all kernels assemble", output);
    }

    /// <summary>ptxas assembles what the CUDA backend loads: the script's splice and PtxSplice agree on every file.</summary>
    [Fact]
    public async Task The_script_splices_every_kernel_as_the_loader_does()
    {
        IReadOnlyList<string> files = KernelModules.EmbeddedFiles();
        Assert.NotEmpty(files);
        foreach (string file in files)
        {
            (int exitCode, string stdout, string stderr) = await CheckPtx("--spliced", file);
            Assert.True(exitCode == 0, stderr);
            Assert.Equal(KernelModules.ReadSpliced(file), stdout);
        }
        (int missing, _, string why) = await CheckPtx("--spliced", "nope.ptx");
        Assert.NotEqual(0, missing);
        Assert.Contains("no kernels/nope.ptx", why);
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> CheckPtx(params string[] args)
    {
        string root = RepositoryRoot();
        var start = new ProcessStartInfo("bash", [Path.Combine(root, "tools", "check-ptx.sh"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            WorkingDirectory = root,
        };
        using Process process = Process.Start(start)!;
        CancellationToken cancel = TestContext.Current.CancellationToken;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancel), stderr = process.StandardError.ReadToEndAsync(cancel);
        await process.WaitForExitAsync(cancel);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RawGan.sln"))) return dir.FullName;
        Assert.Skip("the test assembly is not inside a RawGan checkout (a GPU bundle?), so there are no kernels/*.ptx to assemble");
        return "";
    }
}
