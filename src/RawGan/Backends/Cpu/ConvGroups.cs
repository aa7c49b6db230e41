namespace RawGan.Backends.Cpu;

/// <summary>
/// How <see cref="FastConv"/> splits a batch into groups of images, one GEMM per group, and spreads them over the
/// cores. Late layers have tiny P·Q (4×4 at the end of a DCGAN discriminator), and one GEMM over many images is far
/// more efficient than many thin ones. Two ways to use the cores, never both at once (no oversubscription): with
/// many groups, each thread takes whole groups (lowering, single-threaded GEMM, copy-out) and no thread ever waits
/// for another; with few, big groups, they run one after another and the GEMM and lowering loops are split over
/// the threads.
/// </summary>
internal static class ConvGroups
{
    /// <summary>Columns per GEMM when groups run one after another: a few thousand make each GEMM (and its
    /// thread hand-off) big enough to run at full speed.</summary>
    private const int SequentialColumns = 2048;

    /// <summary>Columns per GEMM when each thread takes whole groups: enough for a single-threaded GEMM to run at
    /// full speed, small enough that each thread's column matrix stays near its own L2.</summary>
    private const int PerThreadColumns = 512;

    /// <summary>Cap on one column matrix (4 M floats = 16 MB).</summary>
    private const long MaxColumnFloats = 1L << 22;

    public readonly record struct Schedule(int GroupSize, int Groups, bool PerThread);

    /// <summary>Whole groups per thread when there are at least two groups for each thread, else one group after
    /// another with multi-threaded GEMMs.</summary>
    public static Schedule Plan(ConvGeometry g)
    {
        int threads = CpuParallel.Threads;
        int size = GroupSize(g, PerThreadColumns);
        int groups = (g.N + size - 1) / size;
        if (threads > 1 && groups >= 2 * threads) return new Schedule(size, groups, true);
        size = GroupSize(g, SequentialColumns);
        return new Schedule(size, (g.N + size - 1) / size, false);
    }

    /// <summary>Runs body(n0, count, threads, worker) for every group: on the calling thread with all threads for
    /// each group's work, or with whole groups dealt to workers 0 .. T-1 (threads = 1) in turn. The deal is fixed,
    /// not first come first served: a worker's groups are summed into its own slot of the filter gradient, so which
    /// groups share a slot decides the order of the float sums, and a run must give the same bits every time.</summary>
    public static void Run(ConvGeometry g, Schedule plan, Action<int, int, int, int> body)
    {
        if (!plan.PerThread)
        {
            for (int n0 = 0; n0 < g.N; n0 += plan.GroupSize) body(n0, Math.Min(plan.GroupSize, g.N - n0), CpuParallel.Threads, 0);
            return;
        }
        int workers = CpuParallel.Threads;
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, worker =>
        {
            for (int group = worker; group < plan.Groups; group += workers)
            {
                int n0 = group * plan.GroupSize;
                body(n0, Math.Min(plan.GroupSize, g.N - n0), 1, worker);
            }
        });
    }

    /// <summary>Images per group: enough for <paramref name="targetColumns"/> GEMM columns, within the column-matrix cap.</summary>
    private static int GroupSize(ConvGeometry g, int targetColumns)
    {
        long pq = Math.Max(1, (long)g.P * g.Q), crs = (long)g.C * g.R * g.S;
        long wanted = (targetColumns + pq - 1) / pq, fits = MaxColumnFloats / Math.Max(1, crs * pq);
        return (int)Math.Clamp(Math.Min(wanted, fits), 1, Math.Max(1, g.N));
    }
}
