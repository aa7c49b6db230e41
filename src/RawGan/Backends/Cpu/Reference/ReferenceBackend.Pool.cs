using System.Numerics;
using RawGan.Tensors;

namespace RawGan.Backends.Cpu.Reference;

public sealed partial class ReferenceBackend
{
    public void MaxPool2d(PoolGeometry g, Tensor x, Tensor y, Tensor indices)
    {
        if (x.DType == DType.Float32) MaxPoolT(g, F<float>(x), F<float>(y), F<int>(indices));
        else MaxPoolT(g, F<double>(x), F<double>(y), F<int>(indices));
    }

    public void MaxPool2dBackward(PoolGeometry g, Tensor dy, Tensor indices, Tensor dx)
    {
        if (dy.DType == DType.Float32) MaxPoolBackwardT(g, F<float>(dy), F<int>(indices), F<float>(dx));
        else MaxPoolBackwardT(g, F<double>(dy), F<int>(indices), F<double>(dx));
    }

    public void AvgPool2d(PoolGeometry g, bool countIncludePad, Tensor x, Tensor y)
    {
        if (x.DType == DType.Float32) AvgPoolT(g, countIncludePad, F<float>(x), F<float>(y));
        else AvgPoolT(g, countIncludePad, F<double>(x), F<double>(y));
    }

    public void AvgPool2dBackward(PoolGeometry g, bool countIncludePad, Tensor dy, Tensor dx)
    {
        if (dy.DType == DType.Float32) AvgPoolBackwardT(g, countIncludePad, F<float>(dy), F<float>(dx));
        else AvgPoolBackwardT(g, countIncludePad, F<double>(dy), F<double>(dx));
    }

    /// <summary>y[plane, p, q] = max over the window of x[plane]; indices = where the max is.</summary>
    private static void MaxPoolT<T>(PoolGeometry g, T[] x, T[] y, int[] indices) where T : IFloatingPointIeee754<T>
    {
        long planes = (long)g.N * g.C;
        for (long plane = 0; plane < planes; plane++)
        for (int p = 0; p < g.P; p++)
        for (int q = 0; q < g.Q; q++)
        {
            (int h0, int h1) = g.Rows(p);
            (int w0, int w1) = g.Columns(q);
            T best = T.NegativeInfinity;
            int at = h0 * g.W + w0;
            for (int h = h0; h < h1; h++)
            for (int w = w0; w < w1; w++)
            {
                T v = x[plane * g.H * g.W + h * g.W + w];
                if (v > best || T.IsNaN(v))
                {
                    best = v;
                    at = h * g.W + w;
                    if (T.IsNaN(v)) goto Found;
                }
            }
            Found:
            long o = (plane * g.P + p) * g.Q + q;
            y[o] = best;
            indices[o] = at;
        }
    }

    /// <summary>dx = 0, then dx[plane, indices[o]] += dy[o] for every output o in order.</summary>
    private static void MaxPoolBackwardT<T>(PoolGeometry g, T[] dy, int[] indices, T[] dx) where T : INumber<T>
    {
        long planes = (long)g.N * g.C, planeIn = (long)g.H * g.W, planeOut = (long)g.P * g.Q;
        Array.Clear(dx, 0, (int)(planes * planeIn));
        for (long plane = 0; plane < planes; plane++)
        for (long o = 0; o < planeOut; o++)
            dx[plane * planeIn + indices[plane * planeOut + o]] += dy[plane * planeOut + o];
    }

    /// <summary>y = (Σ over the window in float64) / divisor.</summary>
    private static void AvgPoolT<T>(PoolGeometry g, bool countIncludePad, T[] x, T[] y) where T : INumber<T>
    {
        long planes = (long)g.N * g.C;
        for (long plane = 0; plane < planes; plane++)
        for (int p = 0; p < g.P; p++)
        for (int q = 0; q < g.Q; q++)
        {
            (int h0, int h1) = g.Rows(p);
            (int w0, int w1) = g.Columns(q);
            double sum = 0;
            for (int h = h0; h < h1; h++)
            for (int w = w0; w < w1; w++)
                sum += double.CreateTruncating(x[plane * g.H * g.W + h * g.W + w]);
            y[(plane * g.P + p) * g.Q + q] = T.CreateTruncating(sum / g.Divisor(p, q, countIncludePad));
        }
    }

    /// <summary>dx = 0, then every output spreads dy / divisor over its window, outputs in order.</summary>
    private static void AvgPoolBackwardT<T>(PoolGeometry g, bool countIncludePad, T[] dy, T[] dx) where T : INumber<T>
    {
        long planes = (long)g.N * g.C, planeIn = (long)g.H * g.W;
        Array.Clear(dx, 0, (int)(planes * planeIn));
        for (long plane = 0; plane < planes; plane++)
        for (int p = 0; p < g.P; p++)
        for (int q = 0; q < g.Q; q++)
        {
            (int h0, int h1) = g.Rows(p);
            (int w0, int w1) = g.Columns(q);
            T share = dy[(plane * g.P + p) * g.Q + q] / T.CreateTruncating(g.Divisor(p, q, countIncludePad));
            for (int h = h0; h < h1; h++)
            for (int w = w0; w < w1; w++)
                dx[plane * planeIn + h * g.W + w] += share;
        }
    }
}
