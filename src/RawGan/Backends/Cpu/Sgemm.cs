using System.Runtime.CompilerServices;

namespace RawGan.Backends.Cpu;

/// <summary>
/// Single-precision GEMM, row-major: C[m,n] = alpha·op(A)·op(B) + beta·C, structured as GotoBLAS/BLIS are.
/// <code>
/// for each band of rows of A                             (its packed copy, rows×k, is shared by all threads)
///   parallel over tasks = (block of NB columns) × (chunk of A's MR-row panels); each task owns its tile of C:
///     for each depth slice of KC                         (C accumulates across slices)
///       pack B[slice, block] into NR-column panels       (KC×NB, per thread, stays in L2)
///       for each A panel of the chunk (MR×KC, stays in L1; packed by the first task to need it)
///         for each B panel (KC×NR, streamed from L2): micro-kernel → one MR×NR tile of C
/// </code>
/// One Parallel.For per band (usually per call) and no barrier inside: tasks are independent, so a thread delayed by
/// a neighbour on a shared machine just takes fewer of them. A panels are packed lazily, each by whichever task gets
/// there first (a flag per panel), with tasks starting at different panels so they pack different ones.
/// Edge tiles run the same kernel into a scratch tile and copy the live part, so any m, n, k works. Pack buffers are
/// per thread and only grow: steady-state calls allocate only the Parallel.For closure and its options.
/// </summary>
internal static unsafe class Sgemm
{
    /// <summary>Depth of one slice. The A micro-panel (12×384 floats = 18 KB) stays in the 32 KB L1 data cache
    /// while the kernel sweeps B; deeper slices amortise loading and storing each C tile over more FMAs.</summary>
    private const int KC = 384;

    /// <summary>Columns of B packed per task: KC×NB floats = 384 KB, under half of a 1 MB L2, so the B block
    /// survives the sweep over A panels with room for the A and C traffic.</summary>
    private const int NB = 256;

    /// <summary>Most floats of packed A per band (16 MB, in L3); only a very deep k splits m into several bands.</summary>
    private const long MaxPackedA = 1L << 22;

    /// <summary>Below about a million multiply-adds (tens of microseconds), waking a second thread costs more than it saves.</summary>
    private const long SerialMacs = 1L << 20;

    [ThreadStatic] private static PackBuffer? t_packedA; // the band's A, written lazily by the workers of this call
    [ThreadStatic] private static int[]? t_packedFlags;  // per (slice, panel): 0 = not packed, 1 = packing, 2 = ready
    [ThreadStatic] private static PackBuffer? t_packedB; // the B block of the task this thread is running

    public static void Multiply(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda,
                                float* b, int ldb, float beta, float* c, int ldc) =>
        Multiply(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, SgemmMicroKernel.Best, CpuParallel.Threads);

    /// <summary>As above with the micro-kernel and thread count chosen: tests run every kernel the machine supports,
    /// and callers that already parallelise over independent problems pass threads = 1.</summary>
    internal static void Multiply(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda,
                                  float* b, int ldb, float beta, float* c, int ldc, SgemmMicroKernel kernel, int threads)
    {
        Validate(transA, transB, m, n, k, lda, ldb, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f) { ScaleC(m, n, beta, c, ldc); return; }
        if (transA && n <= SgemmThin.MaxColumns && kernel == SgemmMicroKernel.Avx512Tile && SgemmThin.Supported)
        {
            SgemmThin.Multiply(m, n, k, alpha, a, lda, transB, b, ldb, beta, c, ldc, threads);
            return;
        }
        if ((long)m * n * k < SerialMacs) threads = 1;

        int mr = kernel.MR;
        int slices = CeilDiv(k, KC), depth = CeilDiv(k, slices); // equal slices: no thin last one
        int maxRows = (int)Math.Clamp(MaxPackedA / k / mr * mr, mr, RoundUp(m, mr));
        int bands = CeilDiv(m, maxRows), bandRows = RoundUp(CeilDiv(m, bands), mr);
        float* packedA = (t_packedA ??= new PackBuffer()).Get((long)bandRows * k);
        int flagCount = slices * (bandRows / mr);
        if (t_packedFlags is null || t_packedFlags.Length < flagCount) t_packedFlags = new int[flagCount];

        for (int i0 = 0; i0 < m; i0 += bandRows)
        {
            Array.Clear(t_packedFlags, 0, flagCount);
            new Band
            {
                TransA = transA, TransB = transB, A = a, Lda = lda, B = b, Ldb = ldb, C = c, Ldc = ldc,
                Alpha = alpha, Beta = beta, Kernel = kernel, PackedA = packedA, Flags = t_packedFlags,
                I0 = i0, Rows = Math.Min(bandRows, m - i0), N = n, K = k, Depth = depth,
            }.Run(threads);
        }
    }

    /// <summary>All of C's rows I0 .. I0+Rows: the task grid and what each task does.</summary>
    private struct Band
    {
        public bool TransA, TransB;
        public float* A, B, C, PackedA;
        public int Lda, Ldb, Ldc, I0, Rows, N, K, Depth;
        public float Alpha, Beta;
        public SgemmMicroKernel Kernel;
        public int[] Flags;

        public readonly void Run(int threads)
        {
            int panels = CeilDiv(Rows, Kernel.MR), nr = Kernel.NR;
            // Column blocks: a multiple of the thread count when n allows, so no thread idles on the last block.
            int blocks = CeilDiv(N, NB);
            if (threads > 1) blocks = Math.Min(RoundUp(blocks, threads), CeilDiv(N, nr));
            int blockCols = RoundUp(CeilDiv(N, blocks), nr);
            blocks = CeilDiv(N, blockCols);
            // If the blocks still do not divide evenly among the threads (narrow C), split the rows too.
            int chunks = Math.Min(panels, threads / Gcd(blocks, threads));
            var grid = new Grid(blocks, blockCols, chunks, panels, threads);

            Band self = this;
            if (threads == 1 || grid.Tasks == 1)
                for (int t = 0; t < grid.Tasks; t++) self.Task(t, grid);
            else
                Parallel.For(0, grid.Tasks, new ParallelOptions { MaxDegreeOfParallelism = threads }, t => self.Task(t, grid));
        }

        private readonly void Task(int task, Grid grid)
        {
            int mr = Kernel.MR, nr = Kernel.NR, panels = grid.Panels;
            int block = task % grid.Blocks, chunk = task / grid.Blocks;
            int j0 = block * grid.BlockCols, cols = Math.Min(grid.BlockCols, N - j0);
            int panelFrom = panels * chunk / grid.Chunks, count = panels * (chunk + 1) / grid.Chunks - panelFrom;
            // Concurrent tasks start at different panels, so they pack different A panels instead of waiting on one.
            int start = count * (block % grid.Threads) / grid.Threads;

            float* packedB = (t_packedB ??= new PackBuffer()).Get((long)RoundUp(cols, nr) * Math.Min(Depth, K));
            var run = Kernel.Run;
            float* tile = stackalloc float[mr * nr];
            for (int p0 = 0, slice = 0; p0 < K; p0 += Depth, slice++)
            {
                int kc = Math.Min(Depth, K - p0);
                float beta = p0 == 0 ? Beta : 1f; // later slices add to what the first one wrote
                SgemmPack.B(TransB, B, Ldb, p0, kc, j0, cols, nr, packedB);
                for (int i = 0; i < count; i++)
                {
                    int panel = panelFrom + (start + i) % count;
                    float* ap = PackedAPanel(slice, p0, kc, panel, panels);
                    int r0 = panel * mr, liveRows = Math.Min(mr, Rows - r0);
                    float* cRow = C + (long)(I0 + r0) * Ldc + j0;
                    for (int c0 = 0; c0 < cols; c0 += nr)
                    {
                        float* bp = packedB + (long)c0 * kc;
                        int liveCols = Math.Min(nr, cols - c0);
                        if (liveRows == mr && liveCols == nr)
                            run(kc, ap, bp, cRow + c0, Ldc, beta);
                        else
                        {
                            run(kc, ap, bp, tile, nr, 0f);
                            MergeTile(tile, nr, cRow + c0, Ldc, liveRows, liveCols, beta);
                        }
                    }
                }
            }
        }

        /// <summary>The packed MR×kc panel of A for this slice, packing it first if no task has yet. A task that
        /// finds it being packed spins briefly: the packer is running, so the wait is one panel's packing.</summary>
        private readonly float* PackedAPanel(int slice, int p0, int kc, int panel, int panels)
        {
            int mr = Kernel.MR;
            float* panelStart = PackedA + (long)p0 * panels * mr + (long)panel * mr * kc;
            ref int flag = ref Flags[slice * panels + panel];
            if (Volatile.Read(ref flag) == 2) return panelStart;
            if (Interlocked.CompareExchange(ref flag, 1, 0) == 0)
            {
                SgemmPack.A(TransA, A, Lda, I0, Rows, p0, kc, Alpha, mr, panelStart - (long)panel * mr * kc, panel, panel + 1);
                Volatile.Write(ref flag, 2);
            }
            else
            {
                var spin = new SpinWait();
                while (Volatile.Read(ref flag) != 2) spin.SpinOnce(sleep1Threshold: -1);
            }
            return panelStart;
        }
    }

    private readonly record struct Grid(int Blocks, int BlockCols, int Chunks, int Panels, int Threads)
    {
        public int Tasks => Blocks * Chunks;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MergeTile(float* tile, int nr, float* c, int ldc, int rows, int cols, float beta)
    {
        for (int i = 0; i < rows; i++)
        {
            float* t = tile + i * nr, ci = c + (long)i * ldc;
            if (beta == 0f) for (int j = 0; j < cols; j++) ci[j] = t[j];
            else for (int j = 0; j < cols; j++) ci[j] = t[j] + beta * ci[j];
        }
    }

    /// <summary>C = beta·C when there is nothing to multiply (k = 0 or alpha = 0); beta = 0 writes zeros.</summary>
    private static void ScaleC(int m, int n, float beta, float* c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + (long)i * ldc, n);
            if (beta == 0f) row.Clear();
            else if (beta != 1f) for (int j = 0; j < n; j++) row[j] *= beta;
        }
    }

    private static void Validate(bool transA, bool transB, int m, int n, int k, int lda, int ldb, int ldc)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentException($"Sgemm: negative size m={m} n={n} k={k}");
        if (lda < Math.Max(1, transA ? m : k) || ldb < Math.Max(1, transB ? k : n) || ldc < Math.Max(1, n))
            throw new ArgumentException(
                $"Sgemm: leading dimensions lda={lda} ldb={ldb} ldc={ldc} too small for m={m} n={n} k={k} transA={transA} transB={transB}");
    }

    private static int CeilDiv(int a, int b) => (a + b - 1) / b;
    private static int RoundUp(int a, int b) => CeilDiv(a, b) * b;
    private static int Gcd(int a, int b) { while (b != 0) (a, b) = (b, a % b); return a; }
}
