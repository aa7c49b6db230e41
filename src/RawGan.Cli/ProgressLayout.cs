using RawGan.Gan;

namespace RawGan.Cli;

/// <summary>
/// The text of the live training display at a given terminal width. Two groups of fields, where the run is
/// (epoch, step, a bar, percent, ETA) and how it is doing (losses, D(x), D(G(z)), images/s), each flowed onto as
/// many lines as the width needs, so a field is never cut or replaced by "…": at 80 columns that is two lines with
/// a bar of about 25 characters; narrower terminals get more lines and no bar; wider ones a bar of up to 40.
/// </summary>
internal static class ProgressLayout
{
    private const string Gap = "  ";
    private const int MinBar = 10, MaxBar = 40;

    /// <summary>The display's lines, none longer than <paramref name="width"/> - 1 (a full last column makes some
    /// terminals wrap), unless one field alone is wider.</summary>
    public static IReadOnlyList<string> Lines(StepReport r, int epochs, long totalSteps, TimeSpan? eta, int width)
    {
        int room = Math.Max(1, width - 1);
        string[] where = Where(r, epochs, totalSteps, eta);
        var lines = new List<string>();
        // The bar goes after the step when the first group fits on one line with room to spare.
        int spare = room - string.Join(Gap, where).Length - Gap.Length;
        if (spare >= MinBar) where = [.. where[..2], Bar(r.Step, totalSteps, Math.Min(spare, MaxBar)), .. where[2..]];
        lines.AddRange(Flow(where, room));
        lines.AddRange(Flow(How(r), room));
        return lines;
    }

    /// <summary>All fields on one line, no bar: what a log gets every few seconds.</summary>
    public static string Line(StepReport r, int epochs, long totalSteps, TimeSpan? eta) =>
        string.Join(Gap, Where(r, epochs, totalSteps, eta).Concat(How(r)));

    /// <summary>How long the steps left take at the rate since <paramref name="startStep"/>; null before a step has run.</summary>
    public static TimeSpan? Eta(TimeSpan elapsed, long startStep, long step, long totalSteps) =>
        step <= startStep ? null : elapsed / (step - startStep) * (totalSteps - step);

    private static string[] Where(StepReport r, int epochs, long totalSteps, TimeSpan? eta) =>
    [
        $"epoch {r.Epoch + 1}/{epochs}",
        $"step {r.Step:N0}/{totalSteps:N0}",
        $"{100 * r.Step / Math.Max(1, totalSteps),3}%",
        eta is { } t ? $"eta {(int)t.TotalHours}:{t:mm\\:ss}" : "eta -:--:--",
    ];

    // The metrics are those of the last read window (every --log-every steps), so they lag the step count a little.
    private static string[] How(StepReport r) => r.Metrics is StepMetrics m
        ? [$"D {m.DLoss:F3}", $"G {m.GLoss:F3}", $"D(x) {m.DReal:F2}", $"D(G(z)) {m.DFake:F2}", $"{r.ImagesPerSecond:N0} img/s"]
        : ["waiting for the first losses"];

    private static string Bar(long step, long total, int width)
    {
        int done = (int)(width * Math.Clamp(step, 0, Math.Max(1, total)) / Math.Max(1, total));
        return new string('█', done) + new string('░', width - done);
    }

    /// <summary>Fields joined by two spaces, a new line started wherever the next field would pass <paramref name="room"/>.</summary>
    private static IEnumerable<string> Flow(IEnumerable<string> fields, int room)
    {
        string line = "";
        foreach (string field in fields)
        {
            if (line.Length > 0 && line.Length + Gap.Length + field.Length > room)
            {
                yield return line;
                line = "";
            }
            line = line.Length == 0 ? field : line + Gap + field;
        }
        if (line.Length > 0) yield return line;
    }
}
