using System.Diagnostics;

namespace RawGan.Bench;

/// <summary>
/// Plain Stopwatch timing: warm up (JIT, caches, pack buffers, thread pool), then the median of several runs.
/// BenchmarkDotNet would add its statistics at the cost of minutes per case, which a shared 2-core machine cannot
/// spare; the median of a few runs is robust to the odd interruption by a neighbour, and peer_gemm.py uses exactly
/// the same rule, so the two columns are comparable.
/// </summary>
internal static class Timing
{
    /// <summary>Median seconds of one call of <paramref name="body"/>.</summary>
    public static double Median(Action body, double budgetSeconds = 1.0, int minRuns = 5, int maxRuns = 50)
    {
        var watch = Stopwatch.StartNew();
        body(); // warm-up: at least once, and for about a fifth of the budget
        int warm = 1;
        while (warm < 3 && watch.Elapsed.TotalSeconds < budgetSeconds / 5) { body(); warm++; }
        double once = watch.Elapsed.TotalSeconds / warm;
        int runs = (int)Math.Clamp(budgetSeconds / Math.Max(once, 1e-9), minRuns, maxRuns);
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            body();
            times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        return MedianOf(times);
    }

    /// <summary>The median of <paramref name="values"/> (sorted in place).</summary>
    public static double MedianOf(Span<double> values)
    {
        values.Sort();
        int n = values.Length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }
}
