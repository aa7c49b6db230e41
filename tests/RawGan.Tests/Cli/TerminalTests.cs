using System.Diagnostics;
using System.Text.RegularExpressions;
using RawGan.Backends;

namespace RawGan.Tests.Cli;

/// <summary>`rawgan` on an 80-column terminal (a pseudo-terminal made by util-linux's `script`, with `stty cols
/// 80`), as a user sees it: the live display keeps the losses and the ETA, the CUDA fallback notice is one line,
/// and writing sample files shows progress.</summary>
public partial class TerminalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rawgan-terminal-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Training_on_80_columns_shows_losses_and_eta_and_a_one_line_device_notice()
    {
        string data = CliTests.WriteIdx(Path.Combine(_dir, "mnist"), count: 80);
        string[] screen = Terminal(80, ["train", "--model", "dcgan", "--data", data, "--out", Path.Combine(_dir, "runs"), "--device", "auto", "--image-size", "8",
            "--ngf", "4", "--ndf", "4", "--nz", "8", "--batch-size", "4", "--epochs", "2", "--sample-every", "0", "--log-every", "1"]);

        string[] display = screen.Where(line => line.Contains("D(G(z))")).ToArray();
        Assert.True(display.Length > 0, string.Join("\n", screen));
        Assert.All(display, line => Assert.Matches(@"^D \d\.\d{3}  G \d\.\d{3}  D\(x\) \d\.\d\d  D\(G\(z\)\) \d\.\d\d  [\d,]+ img/s\s*$", line));
        Assert.Contains(screen, line => Regex.IsMatch(line, @"^epoch 2/2  step 40/40  █+  100%  eta 0:00:00\s*$"));
        Assert.DoesNotContain(screen, line => line.Trim() == "…");
        Assert.All(screen, line => Assert.True(line.TrimEnd().Length <= 80, line));
        if (Devices.Resolve("auto").Notice is not null)
            Assert.Single(screen, line => line.Contains("no usable CUDA device") && line.Contains("rawgan info says why"));
    }

    [Fact]
    public void Writing_sample_files_on_a_terminal_shows_progress()
    {
        string generator = Serve.TinyGenerators.Write(Path.Combine(_dir, "run"), "dcgan");
        string[] screen = Terminal(80, ["sample", "--checkpoint", generator, "--count", "20", "--device", "cpu"]);
        Assert.Contains(screen, line => line.Contains("20 images") && line.Contains("100%"));
        Assert.Equal(20, Directory.GetFiles(Path.Combine(_dir, "run", "sample-1")).Length);
    }

    /// <summary>The lines a terminal <paramref name="columns"/> wide shows after `rawgan ARGS` (each redraw of the
    /// live display as its own lines), escape codes removed.</summary>
    private string[] Terminal(int columns, string[] args)
    {
        if (!File.Exists("/usr/bin/script")) Assert.Skip("util-linux's script (for a pseudo-terminal) is not installed");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        string command = string.Join(' ', new[] { dotnet, Path.Combine(AppContext.BaseDirectory, "rawgan.dll") }.Concat(args).Select(a => $"'{a}'"));
        var start = new ProcessStartInfo("/usr/bin/script", ["-qfec", $"stty cols {columns} rows 40; exec {command}", "/dev/null"])
        {
            WorkingDirectory = _dir,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
        };
        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), output);
        Assert.True(process.ExitCode == 0, output);
        return Escape().Replace(output, "").Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries);
    }

    [GeneratedRegex(@"\x1b(\[[0-9;?]*[A-Za-z]|[=>])")]
    private static partial Regex Escape();
}
