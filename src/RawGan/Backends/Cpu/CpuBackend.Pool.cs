using System.Numerics;
using RawGan.Tensors;

namespace RawGan.Backends.Cpu;

// Pooling as kernels/pool.ptx does it: one pass per output element over its window, planes split over the cores;
// the backward passes gather (each input element sums the outputs whose window holds it, in output order), so
// nothing is written twice and no zero-fill pass is needed.
public sealed partial class CpuBackend
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

    private static void PerPlane(PoolGeometry g, Action<long, long, long> body)
    {
        long planeIn = (long)g.H * g.W, planeOut = (long)g.P * g.Q;
        CpuParallel.For((long)g.N * g.C, Math.Max(1, 16_384 / Math.Max(1, planeIn)), (first, end) =>
        {
            for (long plane = first; plane < end; plane++) body(plane, plane * planeIn, plane * planeOut);
        });
    }

    private static void MaxPoolT<T>(PoolGeometry g, T[] x, T[] y, int[] indices) where T : IFloatingPointIeee754<T> =>
        PerPlane(g, (_, xi, yi) =>
        {
            for (int p = 0; p < g.P; p++)
            {
                (int h0, int h1) = g.Rows(p);
                for (int q = 0; q < g.Q; q++)
                {
                    (int w0, int w1) = g.Columns(q);
                    T best = T.NegativeInfinity;
                    int at = h0 * g.W + w0;
                    for (int h = h0; h < h1 && !T.IsNaN(best); h++)
                    {
                        long row = xi + h * g.W;
                        for (int w = w0; w < w1; w++)
                        {
                            T v = x[row + w];
                            if (!(v <= best)) // greater, or NaN
                            {
                                best = v;
                                at = h * g.W + w;
                                if (T.IsNaN(v)) break;
                            }
                        }
                    }
                    y[yi + p * g.Q + q] = best;
                    indices[yi + p * g.Q + q] = at;
                }
            }
        });

    private static void MaxPoolBackwardT<T>(PoolGeometry g, T[] dy, int[] indices, T[] dx) where T : INumber<T> =>
        PerPlane(g, (_, xi, yi) =>
        {
            for (int h = 0; h < g.H; h++)
            {
                (int p0, int p1) = g.RowsCovering(h);
                for (int w = 0; w < g.W; w++)
                {
                    (int q0, int q1) = g.ColumnsCovering(w);
                    int self = h * g.W + w;
                    T sum = T.Zero;
                    for (int p = p0; p <= p1; p++)
                    for (int q = q0; q <= q1; q++)
                        if (indices[yi + p * g.Q + q] == self) sum += dy[yi + p * g.Q + q];
                    dx[xi + self] = sum;
                }
            }
        });

    private static void AvgPoolT<T>(PoolGeometry g, bool countIncludePad, T[] x, T[] y) where T : INumber<T> =>
        PerPlane(g, (_, xi, yi) =>
        {
            for (int p = 0; p < g.P; p++)
            {
                (int h0, int h1) = g.Rows(p);
                for (int q = 0; q < g.Q; q++)
                {
                    (int w0, int w1) = g.Columns(q);
                    double sum = 0;
                    for (int h = h0; h < h1; h++)
                    for (long i = xi + h * g.W + w0, e = xi + h * g.W + w1; i < e; i++)
                        sum += double.CreateTruncating(x[i]);
                    y[yi + p * g.Q + q] = T.CreateTruncating(sum / g.Divisor(p, q, countIncludePad));
                }
            }
        });

    private static void AvgPoolBackwardT<T>(PoolGeometry g, bool countIncludePad, T[] dy, T[] dx) where T : INumber<T> =>
        PerPlane(g, (_, xi, yi) =>
        {
            for (int h = 0; h < g.H; h++)
            {
                (int p0, int p1) = g.RowsCovering(h);
                for (int w = 0; w < g.W; w++)
                {
                    (int q0, int q1) = g.ColumnsCovering(w);
                    T sum = T.Zero;
                    for (int p = p0; p <= p1; p++)
                    for (int q = q0; q <= q1; q++)
                        sum += dy[yi + p * g.Q + q] / T.CreateTruncating(g.Divisor(p, q, countIncludePad));
                    dx[xi + h * g.W + w] = sum;
                }
            }
        });
}
