using System.Diagnostics;
using System.Runtime.Versioning;
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

    /// <summary>The first run's fetch keeps apt away from the system: with apt-get and dpkg replaced by stubs
    /// that log their arguments (no network, no root), every apt-get call points apt's sources, lists and cache
    /// into the user's cache folder and none names /etc/apt or the system's state or cache folders.</summary>
    [Fact]
    [SupportedOSPlatform("linux")]
    public async Task The_ptxas_fetch_points_apt_at_private_folders_only()
    {
        string home = Directory.CreateTempSubdirectory("rawgan-ptxfetch-").FullName;
        try
        {
            string bin = Directory.CreateDirectory(Path.Combine(home, "bin")).FullName, log = Path.Combine(home, "apt-get.log");
            // Only these tools on PATH: a real ptxas (a CUDA host's /usr/bin/ptxas) must not stop the fetch.
            foreach (string tool in new[] { "awk", "sed", "grep", "mkdir", "rm", "mv", "ls", "head", "id", "dirname", "basename", "mktemp", "chmod" })
                File.CreateSymbolicLink(Path.Combine(bin, tool), Which(tool));
            Stub(bin, "apt-get", $$"""printf '%s\n' "$*" >> '{{log}}'; [[ " $* " == *" download "* ]] && : > nvidia-cuda-toolkit_11.8.89_amd64.deb; exit 0""");
            Stub(bin, "dpkg", """mkdir -p "$3/usr/bin" && printf '#!/bin/bash\n[[ $1 == --version ]] && echo "release 11.8"\nexit 0\n' > "$3/usr/bin/ptxas" && chmod +x "$3/usr/bin/ptxas" """);
            string cache = Path.Combine(home, "cache", "rawgan", "ptxas");

            (int exitCode, string stdout, string stderr) = await CheckPtxWith(new() { ["PATH"] = bin, ["HOME"] = home, ["XDG_CACHE_HOME"] = Path.Combine(home, "cache"), ["RAWGAN_PTXAS"] = null });

            Assert.True(exitCode == 0, stdout + stderr);
            Assert.True(File.Exists(Path.Combine(cache, "usr", "bin", "ptxas")), stdout);
            string[] calls = File.ReadAllLines(log);
            Assert.Equal(2, calls.Length);
            Assert.All(calls, call =>
            {
                foreach (string option in new[] { "Dir::Etc::SourceList=/dev/null", $"Dir::Etc::SourceParts={cache}.apt/sources.list.d", $"Dir::State::Lists={cache}.apt/lists", $"Dir::Cache={cache}.apt/cache" })
                    Assert.Contains($"-o {option} ", call);
                foreach (string system in new[] { "/etc/apt", "/var/lib/apt", "/var/cache/apt" }) Assert.DoesNotContain(system, call);
            });
            Assert.Contains("contrib non-free", File.ReadAllText(Path.Combine($"{cache}.apt", "sources.list.d", "rawgan-cuda-nonfree.sources")));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [SupportedOSPlatform("linux")]
    private static void Stub(string bin, string name, string body)
    {
        string path = Path.Combine(bin, name);
        File.WriteAllText(path, $"#!/bin/bash\n{body}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static string Which(string tool) =>
        Environment.GetEnvironmentVariable("PATH")!.Split(':').Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"{tool} is not on PATH");

    private static Task<(int ExitCode, string Stdout, string Stderr)> CheckPtx(params string[] args) => CheckPtxWith([], args);

    private static async Task<(int ExitCode, string Stdout, string Stderr)> CheckPtxWith(Dictionary<string, string?> environment, params string[] args)
    {
        string root = RepositoryRoot();
        var start = new ProcessStartInfo("/bin/bash", [Path.Combine(root, "tools", "check-ptx.sh"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            WorkingDirectory = root,
        };
        foreach ((string name, string? value) in environment)
            if (value is null) start.Environment.Remove(name); else start.Environment[name] = value;
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
