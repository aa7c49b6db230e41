using System.Runtime.CompilerServices;

namespace RawGan.Backends.Cpu;

/// <summary>
/// The lowering that turns a convolution into one GEMM. For a group of images n0 .. n0+count, the column matrix
/// col[C·R·S, count·P·Q] holds in row (c, r, s) and column (i, p, q) the input pixel x[n0+i, c, p·sh + r - pt,
/// q·sw + s - pl], or 0 where that falls in the padding. Then conv = W[K, CRS] · col, and its adjoint in x is
/// col2im of Wᵀ · dy. Each routine can split its rows over the threads (parallel = true) or run on the calling
/// thread, for callers that already run one group per thread.
/// </summary>
internal static unsafe class Im2Col
{
    /// <summary>Fills col[C·R·S, count·P·Q] from images n0 .. n0+count of x.</summary>
    public static void Lower(ConvGeometry g, float* x, int n0, int count, float* col, bool parallel)
    {
        if (parallel) CpuParallel.For(g.C, 1, (c0, c1) => LowerChannels(g, x, n0, count, col, (int)c0, (int)c1));
        else LowerChannels(g, x, n0, count, col, 0, g.C);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LowerChannels(ConvGeometry g, float* x, int n0, int count, float* col, int cFrom, int cTo)
    {
        int P = g.P, Q = g.Q, R = g.R, S = g.S;
        long cols = (long)count * P * Q, plane = (long)g.H * g.W;
        for (int c = cFrom; c < cTo; c++)
        for (int r = 0; r < R; r++)
        for (int s = 0; s < S; s++)
        {
            float* row = col + ((long)(c * R + r) * S + s) * cols;
            var (qFrom, qTo) = LiveColumns(g, s, Q);
            for (int i = 0; i < count; i++)
            {
                float* image = x + ((long)(n0 + i) * g.C + c) * plane;
                for (int p = 0; p < P; p++)
                {
                    float* d = row + ((long)i * P + p) * Q;
                    int h = p * g.StrideH + r - g.PadTop;
                    if ((uint)h >= (uint)g.H) { new Span<float>(d, Q).Clear(); continue; }
                    float* src = image + (long)h * g.W + s - g.PadLeft; // src[q·sw] is column q
                    for (int q = 0; q < qFrom; q++) d[q] = 0f;
                    if (g.StrideW == 1)
                        new ReadOnlySpan<float>(src + qFrom, qTo - qFrom).CopyTo(new Span<float>(d + qFrom, qTo - qFrom));
                    else if (g.StrideW == 2)
                        for (int q = qFrom; q < qTo; q++) d[q] = src[2 * q];
                    else
                        for (int q = qFrom; q < qTo; q++) d[q] = src[q * g.StrideW];
                    for (int q = qTo; q < Q; q++) d[q] = 0f;
                }
            }
        }
    }

    /// <summary>Overwrites images n0 .. n0+count of dx with the adjoint of <see cref="Lower"/> applied to col:
    /// every column entry is added back into the pixel it was copied from.</summary>
    public static void Raise(ConvGeometry g, float* col, int n0, int count, float* dx, bool parallel)
    {
        // One (channel, image) plane per work item: planes are disjoint, so no two threads add into one pixel.
        // Channel-major order, so one thread reads a channel's R·S rows of col front to back.
        long planes = (long)count * g.C;
        if (parallel) CpuParallel.For(planes, 1, (t0, t1) => RaisePlanes(g, col, n0, count, dx, t0, t1));
        else RaisePlanes(g, col, n0, count, dx, 0, planes);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RaisePlanes(ConvGeometry g, float* col, int n0, int count, float* dx, long from, long to)
    {
        int P = g.P, Q = g.Q, R = g.R, S = g.S, C = g.C;
        long cols = (long)count * P * Q, plane = (long)g.H * g.W;
        for (long t = from; t < to; t++)
        {
            int c = (int)(t / count), i = (int)(t % count);
            float* image = dx + ((long)(n0 + i) * C + c) * plane;
            new Span<float>(image, (int)plane).Clear();
            for (int r = 0; r < R; r++)
            for (int s = 0; s < S; s++)
            {
                float* row = col + ((long)(c * R + r) * S + s) * cols + (long)i * P * Q;
                var (qFrom, qTo) = LiveColumns(g, s, Q);
                for (int p = 0; p < P; p++)
                {
                    int h = p * g.StrideH + r - g.PadTop;
                    if ((uint)h >= (uint)g.H) continue;
                    float* src = row + (long)p * Q;
                    float* dst = image + (long)h * g.W + s - g.PadLeft;
                    if (g.StrideW == 1)
                        for (int q = qFrom; q < qTo; q++) dst[q] += src[q];
                    else if (g.StrideW == 2)
                        for (int q = qFrom; q < qTo; q++) dst[2 * q] += src[q];
                    else
                        for (int q = qFrom; q < qTo; q++) dst[q * g.StrideW] += src[q];
                }
            }
        }
    }

    /// <summary>The output columns q whose input column q·sw + s - pl lies inside [0, W): a contiguous range.</summary>
    private static (int From, int To) LiveColumns(ConvGeometry g, int s, int Q)
    {
        int offset = s - g.PadLeft; // input column = q·sw + offset
        int from = offset >= 0 ? 0 : (-offset + g.StrideW - 1) / g.StrideW;
        int last = g.W - 1 - offset; // need q·sw ≤ last
        int to = last < 0 ? 0 : Math.Min(Q, last / g.StrideW + 1);
        return (Math.Min(from, to), to);
    }

    /// <summary>[count, rows, len] → [rows, count·len] (ungroup = false) or back (ungroup = true): a group of
    /// images' outputs side by side, so that one GEMM covers the whole group.</summary>
    public static void Regroup(float* src, int count, int rows, int len, float* dst, bool ungroup, bool parallel)
    {
        if (parallel) CpuParallel.For(rows, 16, (r0, r1) => RegroupRows(src, count, rows, len, dst, ungroup, r0, r1));
        else RegroupRows(src, count, rows, len, dst, ungroup, 0, rows);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RegroupRows(float* src, int count, int rows, int len, float* dst, bool ungroup, long from, long to)
    {
        for (long r = from; r < to; r++)
        for (int i = 0; i < count; i++)
        {
            long separate = ((long)i * rows + r) * len, grouped = (r * count + i) * len;
            new ReadOnlySpan<float>(src + (ungroup ? grouped : separate), len)
                .CopyTo(new Span<float>(dst + (ungroup ? separate : grouped), len));
        }
    }

    /// <summary>dst[cols, rows] = src[rows, cols]ᵀ, in 32×32 blocks so both sides stay in cache.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose(float* src, int rows, int cols, float* dst)
    {
        const int B = 32;
        for (int r0 = 0; r0 < rows; r0 += B)
        for (int c0 = 0; c0 < cols; c0 += B)
        {
            int r1 = Math.Min(rows, r0 + B), c1 = Math.Min(cols, c0 + B);
            for (int r = r0; r < r1; r++)
                for (int c = c0; c < c1; c++)
                    dst[(long)c * rows + r] = src[(long)r * cols + c];
        }
    }
}
