using System.Diagnostics;

namespace RawGan.Tests.Cli;

/// <summary>A DCGAN small enough (8×8 images, 4 filters) that a child `rawgan train` takes milliseconds a step.</summary>
internal static class TinyRun
{
    public static string[] Args(string data, string runs, int epochs, int checkpointEvery) =>
        ["train", "--model", "dcgan", "--data", data, "--out", runs, "--device", "cpu", "--image-size", "8", "--ngf", "4", "--ndf", "4",
         "--nz", "8", "--batch-size", "4", "--epochs", $"{epochs}", "--checkpoint-every", $"{checkpointEvery}", "--sample-every", "0", "--log-every", "1"];

    /// <summary>Waits until the one run under <paramref name="runs"/> has logged <paramref name="steps"/> steps;
    /// returns its metrics.csv.</summary>
    public static string WaitForSteps(RawGanProcess process, string runs, int steps)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            Assert.False(process.HasExited, process.Output);
            string? metrics = Directory.Exists(runs) ? Directory.GetFiles(runs, "metrics.csv", SearchOption.AllDirectories).SingleOrDefault() : null;
            if (metrics is not null && Lines(metrics) > steps) return metrics;
            Thread.Sleep(20);
        }
        Assert.Fail($"no progress within 60 s; output:\n{process.Output}");
        return "";
    }

    private static int Lines(string path)
    {
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
        return reader.ReadToEnd().Count(c => c == '\n');
    }
}
