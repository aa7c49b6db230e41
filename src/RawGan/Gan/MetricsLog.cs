using System.Globalization;
using RawGan.IO;

namespace RawGan.Gan;

/// <summary>metrics.csv of a run folder: one row per step. On resume (and on a NaN rollback) the rows after the
/// checkpoint's step are dropped first, so the file reads exactly like an uninterrupted run's.</summary>
public sealed class MetricsLog : IDisposable
{
    public const string Header = "step,epoch,d_loss,g_loss,d_x,d_g_z,images_per_sec";
    private StreamWriter _writer;

    /// <param name="path">The CSV file.</param>
    /// <param name="resumeAfterStep">Keep the existing rows up to this step; negative starts a new file.</param>
    public MetricsLog(string path, long resumeAfterStep = -1)
    {
        Path = path;
        if (resumeAfterStep < 0 || !File.Exists(path)) File.WriteAllText(path, Header + "\n");
        _writer = Open(resumeAfterStep);
    }

    public string Path { get; }

    public void Append(long step, int epoch, StepMetrics m, double imagesPerSecond) =>
        _writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{step},{epoch},{m.DLoss:G9},{m.GLoss:G9},{m.DReal:G9},{m.DFake:G9},{imagesPerSecond:F1}"));

    /// <summary>Drops the rows after <paramref name="step"/>.</summary>
    public void RewindTo(long step)
    {
        _writer.Dispose();
        _writer = Open(step);
    }

    /// <summary>Reads (step, d_loss, g_loss) rows, for plots.</summary>
    public static List<(long Step, double DLoss, double GLoss)> Read(string path)
    {
        var rows = new List<(long, double, double)>();
        foreach (string line in File.ReadLines(path).Skip(1))
        {
            string[] f = line.Split(',');
            if (f.Length < 4) continue;
            rows.Add((long.Parse(f[0], CultureInfo.InvariantCulture), double.Parse(f[2], CultureInfo.InvariantCulture), double.Parse(f[3], CultureInfo.InvariantCulture)));
        }
        return rows;
    }

    public void Dispose() => _writer.Dispose();

    private StreamWriter Open(long keepThroughStep)
    {
        if (keepThroughStep >= 0)
        {
            var kept = File.ReadLines(Path).Where((line, i) => i == 0 || StepOf(line) <= keepThroughStep).ToList();
            // Atomically: a process killed mid-rewrite must not lose the rows it meant to keep.
            AtomicFile.Write(Path, s => s.Write(System.Text.Encoding.UTF8.GetBytes(string.Concat(kept.Select(line => line + "\n")))));
        }
        return new StreamWriter(Path, append: true) { AutoFlush = true, NewLine = "\n" };
    }

    private static long StepOf(string line) => long.TryParse(line.AsSpan(0, Math.Max(0, line.IndexOf(','))), CultureInfo.InvariantCulture, out long s) ? s : long.MaxValue;
}
