using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace RawGan.Tests.Cli;

/// <summary>The built `rawgan` (rawgan.dll beside the tests) run as a child process, as a user runs it: what it
/// prints, its exit code, and how it takes signals.</summary>
internal sealed partial class RawGanProcess : IDisposable
{
    public const int SigHup = 1, SigKill = 9, SigTerm = 15;

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private RawGanProcess(string workingDirectory, string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rawgan.dll"));
        foreach (string arg in args) start.ArgumentList.Add(arg);
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static RawGanProcess Start(string workingDirectory, params string[] args) => new(workingDirectory, args);

    /// <summary>Runs rawgan to its end; fails the test if it takes longer than <paramref name="timeoutSeconds"/>.</summary>
    public static (int Code, string Output) Run(string workingDirectory, int timeoutSeconds, params string[] args)
    {
        using var process = Start(workingDirectory, args);
        int code = process.WaitForExit(timeoutSeconds);
        return (code, process.Output);
    }

    /// <summary>Everything printed so far, stdout and stderr interleaved as they came.</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Sends <paramref name="signal"/> (SIGTERM, SIGHUP, SIGKILL …) to the process, as `kill -N` does.</summary>
    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0 && !_process.HasExited) throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed");
    }

    /// <summary>The exit code; the process is killed, and the test failed, past <paramref name="timeoutSeconds"/>.</summary>
    public int WaitForExit(int timeoutSeconds)
    {
        if (!_process.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail($"rawgan did not exit within {timeoutSeconds} s; output:\n{Output}");
        }
        _process.WaitForExit(); // drains the output
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
