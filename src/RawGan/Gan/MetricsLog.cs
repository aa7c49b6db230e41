using System.Globalization;

namespace RawGan.Gan;

/// <summary>metrics.csv of a run folder: one row per step (a <see cref="StepLog"/>, so a resumed run's file reads
/// exactly like an uninterrupted run's).</summary>
public sealed class MetricsLog : IDisposable
{
    public const string Header = "step,epoch,d_loss,g_loss,d_x,d_g_z,images_per_sec";
    private readonly StepLog _log;

    /// <param name="path">The CSV file.</param>
    /// <param name="resumeAfterStep">Keep the existing rows up to this step; negative starts a new file.</param>
    public MetricsLog(string path, long resumeAfterStep = -1) => _log = new StepLog(path, Header, resumeAfterStep);

    public string Path => _log.Path;

    public void Append(long step, int epoch, StepMetrics m, double imagesPerSecond) =>
        _log.Append(string.Create(CultureInfo.InvariantCulture,
            $"{step},{epoch},{m.DLoss:G9},{m.GLoss:G9},{m.DReal:G9},{m.DFake:G9},{imagesPerSecond:F1}"));

    /// <summary>Drops the rows after <paramref name="step"/>.</summary>
    public void RewindTo(long step) => _log.RewindTo(step);

    /// <summary>Reads (step, d_loss, g_loss) rows, for plots.</summary>
    public static List<(long Step, double DLoss, double GLoss)> Read(string path) =>
        StepLog.Rows(path).Where(f => f.Length >= 4)
            .Select(f => (long.Parse(f[0], CultureInfo.InvariantCulture), double.Parse(f[2], CultureInfo.InvariantCulture), double.Parse(f[3], CultureInfo.InvariantCulture)))
            .ToList();

    public void Dispose() => _log.Dispose();
}
