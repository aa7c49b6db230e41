using RawGan.Gan;
using RawGan.IO;

namespace RawGan.Cli;

/// <summary>eval.png of a run folder: the scores against the step, redrawn from eval.csv. FID and the digit judge's
/// Fréchet distance (lower is better) on the left axis; the IS analogue and, for conditional models, the class
/// accuracy ×10 (both higher is better, at most 10) on the right. Each where it was measured.</summary>
internal static class EvalPlot
{
    public static void Draw(string evalPath, string pngPath)
    {
        List<EvalRow> rows = EvalLog.Read(evalPath);
        if (rows.Count == 0) return;
        var plot = new ScottPlot.Plot();
        double[] steps = rows.Select(r => (double)r.Step).ToArray();
        if (rows.All(r => r.Fid is not null))
            plot.Add.ScatterLine(steps, rows.Select(r => r.Fid!.Value).ToArray()).LegendText = "FID, Inception-v3 (left)";
        bool judged = rows.All(r => double.IsFinite(r.FrechetDistance));
        if (judged)
        {
            plot.Add.ScatterLine(steps, rows.Select(r => r.FrechetDistance).ToArray()).LegendText = "Fréchet distance, judge features (left)";
            var score = plot.Add.ScatterLine(steps, rows.Select(r => r.InceptionScore).ToArray());
            score.LegendText = "IS analogue (right)";
            score.Axes.YAxis = plot.Axes.Right;
        }
        if (rows.All(r => r.ClassAccuracy is not null))
        {
            var accuracy = plot.Add.ScatterLine(steps, rows.Select(r => 10 * r.ClassAccuracy!.Value).ToArray());
            accuracy.LegendText = "class accuracy ×10 (right)";
            accuracy.Axes.YAxis = plot.Axes.Right;
        }
        plot.XLabel("step");
        plot.YLabel(judged ? "Fréchet distance (digit judge), FID" : "FID");
        plot.Axes.Right.Label.Text = "IS analogue, accuracy ×10";
        plot.ShowLegend();
        byte[] png = plot.GetImageBytes(900, 400, ScottPlot.ImageFormat.Png);
        AtomicFile.Write(pngPath, s => s.Write(png));
    }
}
