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
    private const int Kills = 24, Epochs = 8; // 5 steps an epoch
    private readonly string _dir = Directory.CreateTempSubdirectory("rawgan-faults-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_run_killed_at_random_moments_resumes_to_the_bits_of_an_uninterrupted_one()
    {
        if (OperatingSystem.IsWindows()) return; // POSIX signals
        string data = CliTests.WriteIdx(Path.Combine(_dir, "mnist"), count: 20);
        (int code, string output) = RawGanProcess.Run(_dir, 120, TinyRun.Args(data, Path.Combine(_dir, "reference"), Epochs, checkpointEvery: 1));
        Assert.True(code == 0, output);
        string reference = Directory.GetDirectories(Path.Combine(_dir, "reference")).Single();

        var random = new Random(10);
        int kills = 0, completed = 0;
        string? runs = null;
        while (kills < Kills || runs is not null)
        {
            runs ??= Path.Combine(_dir, $"chain-{completed}");
            string? run = Directory.Exists(runs) ? Directory.GetDirectories(runs).SingleOrDefault() : null;
            DateTime? before = run is null ? null : CheckpointTime(run);
            using var process = RawGanProcess.Start(_dir, run is null ? TinyRun.Args(data, runs, Epochs, checkpointEvery: 1) : ["train", "--resume", run]);
            if (kills < Kills && WaitForNewCheckpoint(process, runs, before))
            {
                Thread.Sleep(random.Next(0, 120)); // anywhere in the next few steps, checkpoint writes included
                int signal = random.Next(2) == 0 ? RawGanProcess.SigKill : RawGanProcess.SigTerm;
                process.Signal(signal);
                kills++;
                code = process.WaitForExit(60);
                if (code != 0) // 0: it completed before the signal landed
                {
                    Assert.True(code == 128 + signal, $"exit code {code} after signal {signal}:\n{process.Output}");
                    continue;
                }
            }
            else
            {
                code = process.WaitForExit(60);
                Assert.True(code == 0, process.Output);
            }
            AssertSameBits(reference, Directory.GetDirectories(runs).Single());
            completed++;
            runs = null;
        }
        Assert.True(completed >= 1);
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
