using System.Numerics;

namespace RawGan.Backends.Cpu;

/// <summary>
/// GEMM and convolution as the obvious loops: the reference that gradient checks trust and that the fast paths
/// (<see cref="Sgemm"/>, <see cref="FastConv"/>) are tested against. Parallel over independent outputs only.
/// </summary>
internal static class ReferenceDense
{
    /// <summary>c[m,n] = alpha·Σ_p op(a)[m,p]·op(b)[p,n] + beta·c[m,n], row-major.</summary>
    public static void Gemm<T>(bool transA, bool transB, int m, int n, int k, T alpha, T[] a, T[] b, T beta, T[] c)
        where T : IFloatingPointIeee754<T> =>
        Parallel.For(0, m, i =>
        {
            for (int j = 0; j < n; j++)
            {
                T sum = T.Zero;
                for (int p = 0; p < k; p++)
                    sum += a[transA ? p * m + i : i * k + p] * b[transB ? j * k + p : p * n + j];
                int o = i * n + j;
                c[o] = alpha * sum + (beta == T.Zero ? T.Zero : beta * c[o]);
            }
        });

    public static void Conv2d<T>(ConvGeometry g, T[] x, T[] w, T[] y) where T : IFloatingPointIeee754<T>
    {
        int P = g.P, Q = g.Q;
        Parallel.For(0, g.N * g.K, nk =>
        {
            int n = nk / g.K, k = nk % g.K;
            for (int p = 0; p < P; p++)
            for (int q = 0; q < Q; q++)
            {
                T sum = T.Zero;
                for (int c = 0; c < g.C; c++)
                for (int r = 0; r < g.R; r++)
                {
                    int h = p * g.StrideH + r - g.PadTop;
                    if ((uint)h >= (uint)g.H) continue;
                    for (int s = 0; s < g.S; s++)
                    {
                        int wi = q * g.StrideW + s - g.PadLeft;
                        if ((uint)wi >= (uint)g.W) continue;
                        sum += x[((n * g.C + c) * g.H + h) * g.W + wi] * w[((k * g.C + c) * g.R + r) * g.S + s];
                    }
                }
                y[((n * g.K + k) * P + p) * Q + q] = sum;
            }
        });
    }

    public static void Conv2dBackwardData<T>(ConvGeometry g, T[] dy, T[] w, T[] dx) where T : IFloatingPointIeee754<T>
    {
        int P = g.P, Q = g.Q;
        Array.Clear(dx);
        Parallel.For(0, g.N * g.C, nc =>
        {
            int n = nc / g.C, c = nc % g.C;
            for (int k = 0; k < g.K; k++)
            for (int p = 0; p < P; p++)
            for (int q = 0; q < Q; q++)
            {
                T d = dy[((n * g.K + k) * P + p) * Q + q];
                for (int r = 0; r < g.R; r++)
                {
                    int h = p * g.StrideH + r - g.PadTop;
                    if ((uint)h >= (uint)g.H) continue;
                    for (int s = 0; s < g.S; s++)
                    {
                        int wi = q * g.StrideW + s - g.PadLeft;
                        if ((uint)wi >= (uint)g.W) continue;
                        dx[((n * g.C + c) * g.H + h) * g.W + wi] += d * w[((k * g.C + c) * g.R + r) * g.S + s];
                    }
                }
            }
        });
    }

    public static void Conv2dBackwardFilter<T>(ConvGeometry g, T[] x, T[] dy, T[] dw) where T : IFloatingPointIeee754<T>
    {
        int P = g.P, Q = g.Q;
        Parallel.For(0, g.K * g.C, kc =>
        {
            int k = kc / g.C, c = kc % g.C;
            for (int r = 0; r < g.R; r++)
            for (int s = 0; s < g.S; s++)
            {
                T sum = T.Zero;
                for (int n = 0; n < g.N; n++)
                for (int p = 0; p < P; p++)
                {
                    int h = p * g.StrideH + r - g.PadTop;
                    if ((uint)h >= (uint)g.H) continue;
                    for (int q = 0; q < Q; q++)
                    {
                        int wi = q * g.StrideW + s - g.PadLeft;
                        if ((uint)wi >= (uint)g.W) continue;
                        sum += dy[((n * g.K + k) * P + p) * Q + q] * x[((n * g.C + c) * g.H + h) * g.W + wi];
                    }
                }
                dw[((k * g.C + c) * g.R + r) * g.S + s] = sum;
            }
        });
    }
}
