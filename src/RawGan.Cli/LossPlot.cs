using RawGan.Gan;
using RawGan.IO;

namespace RawGan.Cli;

/// <summary>loss.png of a run folder: D and G losses against the step, redrawn from metrics.csv.</summary>
internal static class LossPlot
{
    public static void Draw(string metricsPath, string pngPath)
    {
        var rows = MetricsLog.Read(metricsPath);
        if (rows.Count == 0) return;
        var plot = new ScottPlot.Plot();
        double[] steps = rows.Select(r => (double)r.Step).ToArray();
        plot.Add.ScatterLine(steps, Smooth(rows.Select(r => r.DLoss).ToArray())).LegendText = "D loss";
        plot.Add.ScatterLine(steps, Smooth(rows.Select(r => r.GLoss).ToArray())).LegendText = "G loss";
        plot.XLabel("step");
        plot.YLabel("loss");
        plot.ShowLegend();
        byte[] png = plot.GetImageBytes(900, 400, ScottPlot.ImageFormat.Png);
        AtomicFile.Write(pngPath, s => s.Write(png));
    }

    // A trailing mean over ~1% of the run: raw GAN losses are too noisy to read a trend from.
    private static double[] Smooth(double[] v)
    {
        int window = Math.Max(1, v.Length / 100);
        var result = new double[v.Length];
        double sum = 0;
        for (int i = 0; i < v.Length; i++)
        {
            sum += v[i];
            if (i >= window) sum -= v[i - window];
            result[i] = sum / Math.Min(i + 1, window);
        }
        return result;
    }
}
