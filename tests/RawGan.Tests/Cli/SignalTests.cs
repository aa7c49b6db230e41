namespace RawGan.Tests.Cli;

/// <summary>SIGTERM (kill, timeout, docker stop, systemd) and SIGHUP are taken as Ctrl+C is: the run writes a
/// checkpoint, says so, and exits with 128 + the signal's number.</summary>
public class SignalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rawgan-signal-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(RawGanProcess.SigTerm, 143)]
    [InlineData(RawGanProcess.SigHup, 129)]
    public void A_signal_checkpoints_the_run_says_so_and_exits_128_plus_its_number(int signal, int expectedCode)
    {
        if (OperatingSystem.IsWindows()) return; // POSIX signals
        string data = CliTests.WriteIdx(Path.Combine(_dir, "mnist"), count: 400); // 100 steps an epoch: the checkpoint is the signal's
        string runs = Path.Combine(_dir, "runs");
        using var process = RawGanProcess.Start(_dir, TinyRun.Args(data, runs, epochs: 1000, checkpointEvery: 0));
        string metrics = TinyRun.WaitForSteps(process, runs, 3);

        process.Signal(signal);
        int code = process.WaitForExit(60);

        Assert.True(code == expectedCode, process.Output);
        string run = Path.GetDirectoryName(metrics)!;
        Assert.Contains("checkpoint written", process.Output);
        Assert.Contains($"rawgan train --resume {run}", process.Output);
        Assert.True(File.Exists(Path.Combine(run, "checkpoints", "latest.safetensors")), process.Output);
        Assert.False(File.Exists(Path.Combine(run, "run.lock")));
    }
}
