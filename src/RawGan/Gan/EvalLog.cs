using System.Globalization;
using RawGan.Eval;

namespace RawGan.Gan;

/// <summary>One row of eval.csv: the digit judge's scores of a run's fixed evaluation sample at a step
/// (<see cref="DigitScores"/>; NaN where the judge does not apply; the class accuracy is null for unconditional
/// models) and its FID (null without Inception-v3, and in files written before the column existed).</summary>
public readonly record struct EvalRow(long Step, int Epoch, double FrechetDistance, double InceptionScore, double MeanConfidence, double? ClassAccuracy, double? Fid = null);

/// <summary>eval.csv of a run folder: a row per evaluation during training (a <see cref="StepLog"/>, so a resumed
/// run's file reads exactly like an uninterrupted run's). The per-label class accuracies are empty for
/// unconditional models, and for a label the sample did not ask for; the judge's columns are empty where it does not
/// apply (data other than the bundled digits), the last one, fid, without Inception-v3 weights.</summary>
public sealed class EvalLog : IDisposable
{
    public static readonly string Header = "step,epoch,frechet_distance,inception_score,mean_confidence,class_accuracy," +
                                           string.Join(",", Enumerable.Range(0, DigitJudge.ClassCount).Select(k => $"accuracy_{k}")) + ",fid";
    private readonly StepLog _log;

    /// <param name="path">The CSV file.</param>
    /// <param name="resumeAfterStep">Keep the existing rows up to this step; negative starts a new file.</param>
    public EvalLog(string path, long resumeAfterStep = -1) => _log = new StepLog(path, Header, resumeAfterStep);

    public string Path => _log.Path;

    public void Append(long step, int epoch, DigitScores? s, double? fid)
    {
        IEnumerable<double?> perLabel = s?.AccuracyPerLabel?.Select(a => double.IsNaN(a) ? null : (double?)a) ?? new double?[DigitJudge.ClassCount];
        _log.Append(string.Join(",", new[] { F(step), F(epoch), F(s?.FrechetDistance), F(s?.InceptionScore), F(s?.MeanConfidence), F(s?.Accuracy) }
            .Concat(perLabel.Select(a => F(a))).Append(F(fid))));
    }

    /// <summary>Drops the rows after <paramref name="step"/>.</summary>
    public void RewindTo(long step) => _log.RewindTo(step);

    public static List<EvalRow> Read(string path) =>
        StepLog.Rows(path).Where(f => f.Length >= 6)
            .Select(f => new EvalRow(long.Parse(f[0], CultureInfo.InvariantCulture), int.Parse(f[1], CultureInfo.InvariantCulture),
                                     D(f[2]), D(f[3]), D(f[4]), Optional(f[5]), f.Length > 16 ? Optional(f[16]) : null))
            .ToList();

    public void Dispose() => _log.Dispose();

    private static string F(long v) => v.ToString(CultureInfo.InvariantCulture);
    private static string F(double? v) => v is { } x ? x.ToString("G9", CultureInfo.InvariantCulture) : "";
    private static double D(string s) => s.Length == 0 ? double.NaN : double.Parse(s, CultureInfo.InvariantCulture);
    private static double? Optional(string s) => s.Length == 0 ? null : D(s);
}
