namespace RawGan.Backends.Cpu;

/// <summary>
/// Float32 convolutions lowered onto <see cref="Sgemm"/> with <see cref="Im2Col"/>, for any geometry (asymmetric
/// padding, any stride). Outputs are overwritten.
/// <list type="bullet">
/// <item>forward:         y[K, PQ]      = W[K, CRS] · col[CRS, PQ]</item>
/// <item>backward-data:   dcol[CRS, PQ] = Wᵀ · dy[K, PQ], then col2im into dx (also ConvTranspose2d's forward)</item>
/// <item>backward-filter: dW[K, CRS]    = Σ over groups of dy[K, PQ] · colᵀ</item>
/// </list>
/// PQ here is a group's count·P·Q: images are processed in groups (<see cref="ConvGroups"/>), each group either
/// on one thread or spread over all of them. A 1×1, stride-1, unpadded
/// convolution's column matrix is the image itself, so for single-image groups the lowering is skipped; one whose
/// window covers the whole input is a plain matrix product.
/// </summary>
internal static unsafe class FastConv
{
    [ThreadStatic] private static PackBuffer? t_col;     // the column matrix (or its gradient) of the current group
    [ThreadStatic] private static PackBuffer? t_group;   // y or dy of a group, in [K, count·P·Q] order
    [ThreadStatic] private static PackBuffer? t_partial; // filter gradients: per-thread partial sums, or dWᵀ

    public static void Forward(ConvGeometry g, float* x, float* w, float* y)
    {
        int pq = g.P * g.Q, crs = g.C * g.R * g.S;
        if (IsDense(g)) { Sgemm.Multiply(false, true, g.N, g.K, crs, 1f, x, crs, w, crs, 0f, y, g.K); return; }
        ConvGroups.Run(g, ConvGroups.Plan(g), (n0, count, threads, _) =>
        {
            int cols = count * pq;
            float* col = Lowered(g, x, n0, count, threads);
            float* yn = y + (long)n0 * g.K * pq;
            if (count == 1)
                Sgemm.Multiply(false, false, g.K, cols, crs, 1f, w, crs, col, cols, 0f, yn, cols, SgemmMicroKernel.Best, threads);
            else
            {
                float* grouped = Buffer(ref t_group, (long)g.K * cols);
                Sgemm.Multiply(false, false, g.K, cols, crs, 1f, w, crs, col, cols, 0f, grouped, cols, SgemmMicroKernel.Best, threads);
                Im2Col.Regroup(grouped, count, g.K, pq, yn, ungroup: true, threads > 1);
            }
        });
    }

    /// <summary>With <paramref name="quantized"/>, the weight is read from it (w is not read): a quantised
    /// transposed convolution's forward. A dense geometry's product has the weight as its wide B: there it is the
    /// dequantised float32 copy.</summary>
    public static void BackwardData(ConvGeometry g, float* dy, float* w, float* dx, QuantizedMatrix? quantized = null)
    {
        int pq = g.P * g.Q, crs = g.C * g.R * g.S;
        if (quantized is not null && IsDense(g))
        {
            w = quantized.Float;
            quantized = null;
        }
        if (IsDense(g)) { Sgemm.Multiply(false, false, g.N, crs, g.K, 1f, dy, g.K, w, crs, 0f, dx, crs); return; }
        long imageSize = (long)g.C * g.H * g.W;
        ConvGroups.Run(g, ConvGroups.Plan(g), (n0, count, threads, _) =>
        {
            int cols = count * pq;
            float* dyGroup = Grouped(dy, n0, count, g.K, pq, threads);
            // For a single pointwise image the column gradient is dx itself.
            bool direct = count == 1 && IsPointwise(g);
            float* dcol = direct ? dx + n0 * imageSize : Buffer(ref t_col, (long)crs * cols);
            if (quantized is not null) SgemmThinQuantized.Multiply(crs, cols, g.K, quantized, false, dyGroup, cols, dcol, cols, threads);
            else Sgemm.Multiply(true, false, crs, cols, g.K, 1f, w, crs, dyGroup, cols, 0f, dcol, cols, SgemmMicroKernel.Best, threads);
            if (!direct) Im2Col.Raise(g, dcol, n0, count, dx, threads > 1);
        });
    }

    public static void BackwardFilter(ConvGeometry g, float* x, float* dy, float* dw)
    {
        int pq = g.P * g.Q, crs = g.C * g.R * g.S;
        long size = (long)g.K * crs;
        if (g.N == 0) { new Span<float>(dw, (int)size).Clear(); return; }
        if (IsDense(g)) { Sgemm.Multiply(true, false, g.K, crs, g.N, 1f, dy, g.K, x, crs, 0f, dw, crs); return; }
        // dW[K, CRS] = dy·colᵀ, or its transpose dWᵀ = col·dyᵀ when that fills the micro-kernel's tiles clearly
        // better (K = 64, CRS = 48 for a first RGB layer: 72×64 padded against 48×64 exact).
        var kernel = SgemmMicroKernel.Best;
        bool transposed = PaddedArea(crs, g.K, kernel) * 10 < PaddedArea(g.K, crs, kernel) * 9;
        var plan = ConvGroups.Plan(g);
        // Each worker sums its groups into its own slot; the slots are added (and transposed back) at the end.
        // With one slot computed untransposed, the slot is dw itself.
        int slots = plan.PerThread ? CpuParallel.Threads : 1;
        bool direct = slots == 1 && !transposed;
        float* partial = direct ? dw : Buffer(ref t_partial, size * slots);
        var used = new bool[slots];
        ConvGroups.Run(g, plan, (n0, count, threads, worker) =>
        {
            int cols = count * pq;
            float* col = Lowered(g, x, n0, count, threads);
            float* dyGroup = Grouped(dy, n0, count, g.K, pq, threads);
            float* target = partial + worker * size;
            float beta = used[worker] ? 1f : 0f; // a worker's first group overwrites its slot, later ones add
            used[worker] = true;
            if (transposed)
                Sgemm.Multiply(false, true, crs, g.K, cols, 1f, col, cols, dyGroup, cols, beta, target, g.K, kernel, threads);
            else
                Sgemm.Multiply(false, true, g.K, crs, cols, 1f, dyGroup, cols, col, cols, beta, target, crs, kernel, threads);
        });
        if (!direct) SumSlots(partial, size, used, transposed ? crs : 0, g.K, dw);
    }

    /// <summary>dw = the sum of the used slots, each [CRS, K] transposed back when crs > 0, else [K, CRS].</summary>
    private static void SumSlots(float* partial, long size, bool[] used, int crs, int k, float* dw)
    {
        float* sum = null;
        for (int slot = 0; slot < used.Length; slot++)
        {
            if (!used[slot]) continue;
            float* src = partial + slot * size;
            if (sum is null) sum = src;
            else for (long i = 0; i < size; i++) sum[i] += src[i];
        }
        if (crs > 0) Im2Col.Transpose(sum, crs, k, dw);
        else new ReadOnlySpan<float>(sum, (int)size).CopyTo(new Span<float>(dw, (int)size));
    }

    private static long PaddedArea(int m, int n, SgemmMicroKernel kernel) =>
        (long)((m + kernel.MR - 1) / kernel.MR * kernel.MR) * ((n + kernel.NR - 1) / kernel.NR * kernel.NR);

    /// <summary>The window covers the whole unpadded input and there is one output position: the convolution is a
    /// fully connected layer, y[N, K] = x[N, CRS] · Wᵀ, with no lowering at all (a DCGAN discriminator's last layer,
    /// and the generator's first, 1×1 → 4×4, transposed one).</summary>
    private static bool IsDense(ConvGeometry g) =>
        g.R == g.H && g.S == g.W && g is { PadTop: 0, PadLeft: 0, PadBottom: 0, PadRight: 0 };

    private static bool IsPointwise(ConvGeometry g) =>
        g is { R: 1, S: 1, StrideH: 1, StrideW: 1, PadTop: 0, PadLeft: 0, PadBottom: 0, PadRight: 0 };

    /// <summary>The column matrix of a group: the image itself for a single pointwise image, im2col otherwise.</summary>
    private static float* Lowered(ConvGeometry g, float* x, int n0, int count, int threads)
    {
        if (count == 1 && IsPointwise(g)) return x + (long)n0 * g.C * g.H * g.W;
        float* col = Buffer(ref t_col, (long)g.C * g.R * g.S * count * g.P * g.Q);
        Im2Col.Lower(g, x, n0, count, col, threads > 1);
        return col;
    }

    /// <summary>dy of a group as [K, count·P·Q]: for one image that is its own slice, no copy.</summary>
    private static float* Grouped(float* dy, int n0, int count, int k, int pq, int threads)
    {
        float* slice = dy + (long)n0 * k * pq;
        if (count == 1) return slice;
        float* grouped = Buffer(ref t_group, (long)k * count * pq);
        Im2Col.Regroup(slice, count, k, pq, grouped, ungroup: false, threads > 1);
        return grouped;
    }

    private static float* Buffer(ref PackBuffer? buffer, long floats) => (buffer ??= new PackBuffer()).Get(floats);
}
