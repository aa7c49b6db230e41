using System.Globalization;
using RawGan.IO;

namespace RawGan.Gan;

/// <summary>A CSV file of a run folder whose rows start with the step they describe, appended as the run goes. On
/// resume (and on a NaN rollback) the rows after the checkpoint's step are dropped first, so the file reads exactly
/// like an uninterrupted run's.</summary>
public sealed class StepLog : IDisposable
{
    private StreamWriter _writer;

    /// <param name="path">The CSV file.</param>
    /// <param name="header">Its first line, the column names.</param>
    /// <param name="resumeAfterStep">Keep the existing rows up to this step; negative starts a new file.</param>
    public StepLog(string path, string header, long resumeAfterStep = -1)
    {
        Path = path;
        if (resumeAfterStep < 0 || !File.Exists(path)) File.WriteAllText(path, header + "\n");
        _writer = Open(resumeAfterStep);
    }

    public string Path { get; }

    /// <summary>Appends one row (its fields already joined by commas).</summary>
    public void Append(string row) => _writer.WriteLine(row);

    /// <summary>Drops the rows after <paramref name="step"/>.</summary>
    public void RewindTo(long step)
    {
        _writer.Dispose();
        _writer = Open(step);
    }

    /// <summary>The fields of each row of <paramref name="path"/> after its header.</summary>
    public static IEnumerable<string[]> Rows(string path) => File.ReadLines(path).Skip(1).Select(line => line.Split(','));

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
