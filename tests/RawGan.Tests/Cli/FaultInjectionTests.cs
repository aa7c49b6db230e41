using System.Diagnostics;
using RawGan.IO;

namespace RawGan.Tests.Cli;

/// <summary>
/// `rawgan train` killed at random moments, SIGKILL or SIGTERM, with a checkpoint after every step (so many kills
/// land inside a checkpoint write), then resumed, over and over: each run, once it completes, must hold the very
/// bits of an uninterrupted run: weights, optimiser moments, RNG positions and every logged loss.
/// </summary>
public class FaultInjectionTests : IDisposable
{
    private const int Chains = 4, KillsPerChain = 6, Epochs = 8; // 5 steps an epoch
    private readonly string _dir = Directory.CreateTempSubdirectory("rawgan-faults-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_run_killed_at_random_moments_resumes_to_the_bits_of_an_uninterrupted_one()
    {
        if (OperatingSystem.IsWindows()) return; // POSIX signals
        string data = CliTests.WriteIdx(Path.Combine(_dir, "mnist"), count: 20);
        // Independent chains side by side: most of a cycle is a process starting, which leaves cores idle.
        using var reference = RawGanProcess.Start(_dir, TinyRun.Args(data, Path.Combine(_dir, "reference"), Epochs, checkpointEvery: 1));
        List<string>[] chains = await Task.WhenAll(Enumerable.Range(0, Chains).Select(c => Task.Run(() => Chain(data, c), TestContext.Current.CancellationToken)));
        Assert.True(reference.WaitForExit(120) == 0, reference.Output);
        foreach (string run in chains.SelectMany(c => c)) AssertSameBits(Directory.GetDirectories(Path.Combine(_dir, "reference")).Single(), run);
    }

    /// <summary>Starts a run and kills it, resuming after each kill, <see cref="KillsPerChain"/> times in all (a run
    /// that completes before then is followed by a new one); returns the folders of the completed runs.</summary>
    private List<string> Chain(string data, int seed)
    {
        var random = new Random(seed);
        var completed = new List<string>();
        for (int kills = 0; ; )
        {
            string runs = Path.Combine(_dir, $"chain-{seed}-{completed.Count}");
            string? run = Directory.Exists(runs) ? Directory.GetDirectories(runs).SingleOrDefault() : null;
            DateTime? before = run is null ? null : CheckpointTime(run);
            using var process = RawGanProcess.Start(_dir, run is null ? TinyRun.Args(data, runs, Epochs, checkpointEvery: 1) : ["train", "--resume", run]);
            int code;
            if (kills < KillsPerChain && WaitForNewCheckpoint(process, runs, before))
            {
                Thread.Sleep(random.Next(0, 120)); // anywhere in the next few steps, checkpoint writes included
                int signal = random.Next(2) == 0 ? RawGanProcess.SigKill : RawGanProcess.SigTerm;
                process.Signal(signal);
                kills++;
                code = process.WaitForExit(60);
                Assert.True(code is 0 || code == 128 + signal, $"exit code {code} after signal {signal}:\n{process.Output}");
            }
            else
            {
                code = process.WaitForExit(60);
                Assert.True(code == 0, process.Output);
            }
            if (code != 0) continue;
            completed.Add(Directory.GetDirectories(runs).Single());
            if (kills == KillsPerChain) return completed;
        }
    }

    /// <summary>Waits until the run's latest checkpoint is newer than <paramref name="before"/>; false if the
    /// process exits first.</summary>
    private static bool WaitForNewCheckpoint(RawGanProcess process, string runs, DateTime? before)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited) return false;
            string? run = Directory.Exists(runs) ? Directory.GetDirectories(runs).SingleOrDefault() : null;
            if (run is not null && CheckpointTime(run) is DateTime t && t != before) return true;
            Thread.Sleep(5);
        }
        Assert.Fail($"no checkpoint within 60 s:\n{process.Output}");
        return false;
    }

    private static DateTime? CheckpointTime(string run)
    {
        string latest = Path.Combine(run, "checkpoints", "latest.safetensors");
        return File.Exists(latest) ? File.GetLastWriteTimeUtc(latest) : null;
    }

    private static void AssertSameBits(string expected, string actual)
    {
        foreach (string file in new[] { "checkpoints/latest.safetensors", "generator.safetensors" })
        {
            SafeTensorsFile a = SafeTensors.Read(Path.Combine(expected, file)), b = SafeTensors.Read(Path.Combine(actual, file));
            Assert.Equal(a.Tensors.Select(t => t.Name), b.Tensors.Select(t => t.Name));
            foreach (SafeTensorEntry t in a.Tensors) Assert.True(t.Data.AsSpan().SequenceEqual(b.Get(t.Name).Data), $"{file}: {t.Name} differs in {actual}");
            foreach ((string key, string value) in a.Metadata.Where(m => m.Key != "config")) // the config names its own --out
                Assert.Equal(value, b.Metadata[key]);
        }
        static IEnumerable<string> Losses(string run) => File.ReadLines(Path.Combine(run, "metrics.csv")).Select(row => string.Join(',', row.Split(',')[..6]));
        Assert.Equal(Losses(expected), Losses(actual));
    }
}
