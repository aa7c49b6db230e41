using System.Numerics;

namespace RawGan.Backends.Cpu.Reference;

/// <summary>
/// GEMM and convolution as the obvious loops, each output one sum accumulated in float64: the reference that
/// gradient checks trust, that the fast paths (<see cref="Sgemm"/>, <see cref="FastConv"/>) are tested against, and
/// the float64 path of <see cref="CpuBackend"/> (which has no fast float64 kernels). Parallel over outputs only, so
/// each output's sum runs in one fixed order.
/// </summary>
internal static class ReferenceDense
{
    /// <summary>c[i,j] = alpha·Σ_p op(a)[i,p]·op(b)[p,j] + beta·c[i,j], row-major; c is not read when beta = 0.</summary>
    public static void Gemm<T>(bool transA, bool transB, int m, int n, int k, T alpha, T[] a, T[] b, T beta, T[] c)
        where T : IFloatingPointIeee754<T> =>
        Parallel.For(0, m, i =>
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                    sum += double.CreateTruncating(a[transA ? p * m + i : i * k + p]) * double.CreateTruncating(b[transB ? j * k + p : p * n + j]);
                int o = i * n + j;
                double old = beta == T.Zero ? 0 : double.CreateTruncating(beta) * double.CreateTruncating(c[o]);
                c[o] = T.CreateTruncating(double.CreateTruncating(alpha) * sum + old);
            }
        });

    /// <summary>y[n,k,p,q] = Σ_c,r,s x[n,c,p·sh+r-pt, q·sw+s-pl]·w[k,c,r,s], out-of-range x being 0.</summary>
    public static void Conv2d<T>(ConvGeometry g, T[] x, T[] w, T[] y) where T : IFloatingPointIeee754<T>
    {
        int P = g.P, Q = g.Q;
        Parallel.For(0, g.N * g.K, nk =>
        {
            int n = nk / g.K, k = nk % g.K;
            for (int p = 0; p < P; p++)
            for (int q = 0; q < Q; q++)
            {
                double sum = 0;
                for (int c = 0; c < g.C; c++)
                for (int r = 0; r < g.R; r++)
                for (int s = 0; s < g.S; s++)
                {
                    int h = p * g.StrideH + r - g.PadTop, wi = q * g.StrideW + s - g.PadLeft;
                    if (h < 0 || h >= g.H || wi < 0 || wi >= g.W) continue;
                    sum += double.CreateTruncating(x[((n * g.C + c) * g.H + h) * g.W + wi]) * double.CreateTruncating(w[((k * g.C + c) * g.R + r) * g.S + s]);
                }
                y[((n * g.K + k) * P + p) * Q + q] = T.CreateTruncating(sum);
            }
        });
    }

    /// <summary>dx[n,c,h,w] = Σ dy[n,k,p,q]·w[k,c,r,s] over the (k, r, s) and output positions (p, q) that read x[n,c,h,w]
    /// in the forward pass: h = p·sh + r - pt and w = q·sw + s - pl.</summary>
    public static void Conv2dBackwardData<T>(ConvGeometry g, T[] dy, T[] w, T[] dx) where T : IFloatingPointIeee754<T>
    {
        int P = g.P, Q = g.Q;
        Parallel.For(0, g.N * g.C, nc =>
        {
            int n = nc / g.C, c = nc % g.C;
            for (int h = 0; h < g.H; h++)
            for (int wi = 0; wi < g.W; wi++)
            {
                double sum = 0;
                for (int k = 0; k < g.K; k++)
                for (int r = 0; r < g.R; r++)
                for (int s = 0; s < g.S; s++)
                {
                    int pStride = h + g.PadTop - r, qStride = wi + g.PadLeft - s; // p·sh and q·sw
                    if (pStride < 0 || qStride < 0 || pStride % g.StrideH != 0 || qStride % g.StrideW != 0) continue;
                    int p = pStride / g.StrideH, q = qStride / g.StrideW;
                    if (p >= P || q >= Q) continue;
                    sum += double.CreateTruncating(dy[((n * g.K + k) * P + p) * Q + q]) * double.CreateTruncating(w[((k * g.C + c) * g.R + r) * g.S + s]);
                }
                dx[((n * g.C + c) * g.H + h) * g.W + wi] = T.CreateTruncating(sum);
            }
        });
    }

    /// <summary>dw[k,c,r,s] = Σ_n,p,q dy[n,k,p,q]·x[n,c,p·sh+r-pt, q·sw+s-pl].</summary>
    public static void Conv2dBackwardFilter<T>(ConvGeometry g, T[] x, T[] dy, T[] dw) where T : IFloatingPointIeee754<T>
    {
        int P = g.P, Q = g.Q;
        Parallel.For(0, g.K * g.C, kc =>
        {
            int k = kc / g.C, c = kc % g.C;
            for (int r = 0; r < g.R; r++)
            for (int s = 0; s < g.S; s++)
            {
                double sum = 0;
                for (int n = 0; n < g.N; n++)
                for (int p = 0; p < P; p++)
                for (int q = 0; q < Q; q++)
                {
                    int h = p * g.StrideH + r - g.PadTop, wi = q * g.StrideW + s - g.PadLeft;
                    if (h < 0 || h >= g.H || wi < 0 || wi >= g.W) continue;
                    sum += double.CreateTruncating(dy[((n * g.K + k) * P + p) * Q + q]) * double.CreateTruncating(x[((n * g.C + c) * g.H + h) * g.W + wi]);
                }
                dw[((k * g.C + c) * g.R + r) * g.S + s] = T.CreateTruncating(sum);
            }
        });
    }
}
