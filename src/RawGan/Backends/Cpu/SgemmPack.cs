using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RawGan.Backends.Cpu;

/// <summary>
/// Copies blocks of op(A) and op(B) into the panel order the micro-kernels read: A as MR-row panels stored
/// k-major (a[p·MR + i]), B as NR-column panels stored k-major (b[p·NR + j]). Transposes are resolved here, alpha
/// is folded into A, and rows or columns past the matrix edge are zero, so the kernels never branch on edges.
/// Packing is about a tenth of a GEMM's time at 1024³ when done element by element, so the common layouts have
/// vector paths: contiguous runs are copied a vector at a time, and transposing layouts go through 4×4 shuffles.
/// </summary>
internal static unsafe class SgemmPack
{
    /// <summary>Panels [panelFrom, panelTo) of op(A)[i0 .. i0+rows, p0 .. p0+kc), each MR×kc, into dst.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void A(bool transA, float* a, int lda, int i0, int rows, int p0, int kc, float alpha, int mr,
                         float* dst, int panelFrom, int panelTo)
    {
        for (int panel = panelFrom; panel < panelTo; panel++)
        {
            int r0 = panel * mr, live = Math.Min(mr, rows - r0);
            float* d = dst + (long)panel * mr * kc;
            if (transA)
                // op(A)[i, p] = a[p·lda + i]: each k step is a contiguous run of MR values.
                for (int p = 0; p < kc; p++)
                    CopyRun(a + (long)(p0 + p) * lda + i0 + r0, d + p * mr, live, mr, alpha);
            else
                // op(A)[i, p] = a[i·lda + p]: rows of A become columns of the panel.
                Interleave(a + (long)(i0 + r0) * lda + p0, lda, live, d, mr, kc, alpha);
        }
    }

    /// <summary>op(B)[p0 .. p0+kc, j0 .. j0+cols) as ceil(cols/NR) panels, each kc×NR, into dst.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void B(bool transB, float* b, int ldb, int p0, int kc, int j0, int cols, int nr, float* dst)
    {
        if (!transB)
        {
            // op(B)[p, j] = b[p·ldb + j]: each row of the block is read once, front to back (one page at a time
            // rather than one 128-byte piece of every row per panel), and dealt out to the panels.
            for (int p = 0; p < kc; p++)
            {
                float* s = b + (long)(p0 + p) * ldb + j0;
                for (int c0 = 0; c0 < cols; c0 += nr)
                    CopyRun(s + c0, dst + (long)c0 * kc + p * nr, Math.Min(nr, cols - c0), nr, 1f);
            }
            return;
        }
        // op(B)[p, j] = b[j·ldb + p]: rows of B become columns of the panel.
        for (int c0 = 0; c0 < cols; c0 += nr)
            Interleave(b + (long)(j0 + c0) * ldb + p0, ldb, Math.Min(nr, cols - c0), dst + (long)c0 * kc, nr, kc, 1f);
    }

    /// <summary>d[0 .. width) = scale·s[0 .. live), then zeros.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRun(float* s, float* d, int live, int width, float scale)
    {
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var f = Vector256.Create(scale);
            if (scale == 1f) for (; j + 8 <= live; j += 8) Vector256.Store(Vector256.Load(s + j), d + j);
            else for (; j + 8 <= live; j += 8) Vector256.Store(Vector256.Load(s + j) * f, d + j);
        }
        for (; j < live; j++) d[j] = scale * s[j];
        for (; j < width; j++) d[j] = 0f;
    }

    /// <summary>
    /// Writes d[p·width + i] = scale·s[i·ld + p] for i below live (zero for live ≤ i &lt; width) and p below kc:
    /// <paramref name="live"/> source rows become columns of a k-major panel. Four rows at a time go through a
    /// 4×4 register transpose (four loads, eight shuffles, four stores for sixteen values).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Interleave(float* s, int ld, int live, float* d, int width, int kc, float scale)
    {
        int i = 0;
        if (Sse.IsSupported)
        {
            var f = Vector128.Create(scale);
            for (; i + 4 <= live; i += 4)
            {
                float* s0 = s + (long)i * ld, s1 = s0 + ld, s2 = s1 + ld, s3 = s2 + ld;
                float* di = d + i;
                int p = 0;
                for (; p + 4 <= kc; p += 4)
                {
                    Vector128<float> r0 = Vector128.Load(s0 + p), r1 = Vector128.Load(s1 + p);
                    Vector128<float> r2 = Vector128.Load(s2 + p), r3 = Vector128.Load(s3 + p);
                    Vector128<float> t0 = Sse.UnpackLow(r0, r1), t1 = Sse.UnpackLow(r2, r3);   // a0 b0 a1 b1 | c0 d0 c1 d1
                    Vector128<float> t2 = Sse.UnpackHigh(r0, r1), t3 = Sse.UnpackHigh(r2, r3); // a2 b2 a3 b3 | c2 d2 c3 d3
                    float* dp = di + (long)p * width;
                    Vector128.Store(Sse.MoveLowToHigh(t0, t1) * f, dp);             // a0 b0 c0 d0
                    Vector128.Store(Sse.MoveHighToLow(t1, t0) * f, dp + width);     // a1 b1 c1 d1
                    Vector128.Store(Sse.MoveLowToHigh(t2, t3) * f, dp + 2 * width); // a2 b2 c2 d2
                    Vector128.Store(Sse.MoveHighToLow(t3, t2) * f, dp + 3 * width); // a3 b3 c3 d3
                }
                for (; p < kc; p++)
                {
                    float* dp = di + (long)p * width;
                    dp[0] = scale * s0[p]; dp[1] = scale * s1[p]; dp[2] = scale * s2[p]; dp[3] = scale * s3[p];
                }
            }
        }
        for (; i < live; i++)
        {
            float* si = s + (long)i * ld;
            for (int p = 0; p < kc; p++) d[(long)p * width + i] = scale * si[p];
        }
        for (; i < width; i++)
            for (int p = 0; p < kc; p++) d[(long)p * width + i] = 0f;
    }
}
