using System.Numerics;
using System.Runtime.InteropServices;
using RawGan.Tensors;

namespace RawGan.Backends.Cpu;

/// <summary>Elementwise maps, broadcasting binary ops and their adjoint reduction, generic over float and double.</summary>
internal static class Elementwise
{
    private const long Grain = 1 << 15;

    public static void Map<T, TFn>(T[] x, T[] y, T a) where T : struct, IFloatingPointIeee754<T> where TFn : IUnaryFn<T> =>
        CpuParallel.For(x.Length, Grain, (lo, hi) =>
        {
            int i = (int)lo, w = Vector<T>.Count;
            if (TFn.Vectorized && Vector.IsHardwareAccelerated)
            {
                var va = new Vector<T>(a);
                for (; i <= hi - w; i += w) TFn.F(new Vector<T>(x, i), va).CopyTo(y, i);
                if (i < hi)
                {
                    // The tail through the same vector code, padded: an element's bits never depend on where the
                    // chunks of this machine's core count happen to end.
                    Vector<T> tail = default; // on the stack: no allocation on a training step's path
                    Span<T> pad = MemoryMarshal.Cast<Vector<T>, T>(MemoryMarshal.CreateSpan(ref tail, 1));
                    x.AsSpan(i, (int)hi - i).CopyTo(pad);
                    TFn.F(tail, va).CopyTo(pad);
                    pad[..((int)hi - i)].CopyTo(y.AsSpan(i));
                    i = (int)hi;
                }
            }
            for (; i < hi; i++) y[i] = TFn.F(x[i], a);
        });

    public static void MapBackward<T, TFn>(T[] x, T[] y, T[] dy, T[] dx, T a) where T : struct, IFloatingPointIeee754<T> where TFn : IUnaryFn<T> =>
        CpuParallel.For(x.Length, Grain, (lo, hi) =>
        {
            int i = (int)lo, w = Vector<T>.Count;
            if (TFn.Vectorized && Vector.IsHardwareAccelerated)
            {
                var va = new Vector<T>(a);
                for (; i <= hi - w; i += w) (new Vector<T>(dy, i) * TFn.D(new Vector<T>(x, i), new Vector<T>(y, i), va)).CopyTo(dx, i);
            }
            for (; i < hi; i++) dx[i] = dy[i] * TFn.D(x[i], y[i], a);
        });

    /// <summary>c = f(a, b) with broadcasting. The innermost axis runs as a tight loop with a stride of 0 or 1 per
    /// operand; outer indices are decoded once per row.</summary>
    public static void Binary<T, TFn>(T[] a, Shape sa, T[] b, Shape sb, T[] c, Shape sc) where T : struct, IFloatingPointIeee754<T> where TFn : IBinaryFn<T>
    {
        if (sa == sc && sb == sc)
        {
            CpuParallel.For(c.Length, Grain, (lo, hi) =>
            {
                for (long i = lo; i < hi; i++) c[i] = TFn.F(a[i], b[i]);
            });
            return;
        }
        long[] stA = sa.BroadcastStrides(sc), stB = sb.BroadcastStrides(sc);
        int rank = sc.Rank;
        int inner = rank == 0 ? 1 : sc[rank - 1];
        long ia = rank == 0 ? 0 : stA[rank - 1], ib = rank == 0 ? 0 : stB[rank - 1];
        long rows = inner == 0 ? 0 : c.Length / inner;
        int[] dims = sc.ToArray();
        CpuParallel.For(rows, Math.Max(1, Grain / Math.Max(1, inner)), (lo, hi) =>
        {
            for (long row = lo; row < hi; row++)
            {
                (long oa, long ob) = RowOffsets(row, dims, stA, stB);
                long oc = row * inner;
                for (int j = 0; j < inner; j++) c[oc + j] = TFn.F(a[oa + j * ia], b[ob + j * ib]);
            }
        });
    }

    /// <summary>y = Σ x over the axes where y broadcasts (the adjoint of broadcasting y to x's shape).</summary>
    public static void SumTo<T>(T[] x, Shape sx, T[] y, Shape sy) where T : struct, IFloatingPointIeee754<T>
    {
        Array.Clear(y);
        long[] stY = sy.BroadcastStrides(sx);
        int rank = sx.Rank;
        int inner = rank == 0 ? 1 : sx[rank - 1];
        long iy = rank == 0 ? 0 : stY[rank - 1];
        long rows = inner == 0 ? 0 : x.Length / inner;
        int[] dims = sx.ToArray();
        for (long row = 0; row < rows; row++)
        {
            (long oy, _) = RowOffsets(row, dims, stY, stY);
            long ox = row * inner;
            if (iy == 0)
            {
                T s = T.Zero;
                for (int j = 0; j < inner; j++) s += x[ox + j];
                y[oy] += s;
            }
            else
            {
                for (int j = 0; j < inner; j++) y[oy + j] += x[ox + j];
            }
        }
    }

    /// <summary>Offsets of the start of a row (all axes but the last) in two operands with the given strides.</summary>
    private static (long, long) RowOffsets(long row, int[] dims, long[] st1, long[] st2)
    {
        long o1 = 0, o2 = 0;
        for (int axis = dims.Length - 2; axis >= 0; axis--)
        {
            long idx = row % dims[axis];
            row /= dims[axis];
            o1 += idx * st1[axis];
            o2 += idx * st2[axis];
        }
        return (o1, o2);
    }
}
