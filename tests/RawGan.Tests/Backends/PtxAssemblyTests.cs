using System.Diagnostics;

namespace RawGan.Tests.Backends;

/// <summary>Every kernel in kernels/*.ptx assembles with ptxas for sm_80 and sm_90 (tools/check-ptx.sh), so a PTX
/// error is caught without a GPU. Skipped, never passed, where the script cannot obtain ptxas (no root, no apt).</summary>
public class PtxAssemblyTests
{
    [Fact]
    public async Task All_kernels_assemble_for_sm80_and_sm90()
    {
        string root = RepositoryRoot();
        var start = new ProcessStartInfo("bash", [Path.Combine(root, "tools", "check-ptx.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        using Process process = Process.Start(start)!;
        CancellationToken cancel = TestContext.Current.CancellationToken;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancel), stderr = process.StandardError.ReadToEndAsync(cancel);
        await process.WaitForExitAsync(cancel);
        string output = await stdout + await stderr;
        if (process.ExitCode == 3) Assert.Skip(output.Trim());
        Assert.True(process.ExitCode == 0, output);
        Assert.Contains("all kernels assemble", output);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RawGan.sln"))) return dir.FullName;
        Assert.Skip("the test assembly is not inside a RawGan checkout (a GPU bundle?), so there are no kernels/*.ptx to assemble");
        return "";
    }
}
