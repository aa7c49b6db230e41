using System.Numerics;
using RawGan.Tensors;

namespace RawGan.Backends.Cpu.Reference;

public sealed partial class ReferenceBackend
{
    public void Unary(UnaryOp op, double alpha, Tensor x, Tensor y)
    {
        if (x.DType == DType.Float32) UnaryT(op, (float)alpha, F<float>(x), F<float>(y));
        else UnaryT(op, alpha, F<double>(x), F<double>(y));
    }

    public void UnaryBackward(UnaryOp op, double alpha, Tensor x, Tensor y, Tensor dy, Tensor dx)
    {
        if (x.DType == DType.Float32) UnaryBackwardT(op, (float)alpha, F<float>(x), F<float>(y), F<float>(dy), F<float>(dx));
        else UnaryBackwardT(op, alpha, F<double>(x), F<double>(y), F<double>(dy), F<double>(dx));
    }

    public void Binary(BinaryOp op, Tensor a, Tensor b, Tensor c)
    {
        if (c.DType == DType.Float32) BinaryT(op, F<float>(a), a.Shape, F<float>(b), b.Shape, F<float>(c), c.Shape);
        else BinaryT(op, F<double>(a), a.Shape, F<double>(b), b.Shape, F<double>(c), c.Shape);
    }

    public void SumTo(Tensor x, Tensor y)
    {
        if (x.DType == DType.Float32) SumToT(F<float>(x), x.Shape, F<float>(y), y.Shape);
        else SumToT(F<double>(x), x.Shape, F<double>(y), y.Shape);
    }

    private static void UnaryT<T>(UnaryOp op, T a, T[] x, T[] y) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) y[i] = Forward(op, x[i], a);
    }

    private static void UnaryBackwardT<T>(UnaryOp op, T a, T[] x, T[] y, T[] dy, T[] dx) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) dx[i] = dy[i] * Derivative(op, x[i], y[i], a);
    }

    /// <summary>f(x; a), as PyTorch defines each (the parameter a rounded to the tensor's type first, as PyTorch's
    /// scalar arguments are).</summary>
    private static T Forward<T>(UnaryOp op, T x, T a) where T : IFloatingPointIeee754<T> => op switch
    {
        UnaryOp.Neg => -x,
        UnaryOp.Exp => T.Exp(x),
        UnaryOp.Log => T.Log(x),
        UnaryOp.Sqrt => T.Sqrt(x),
        UnaryOp.Abs => T.Abs(x),
        UnaryOp.Relu => x > T.Zero ? x : T.Zero,
        UnaryOp.LeakyRelu => x > T.Zero ? x : a * x,
        UnaryOp.Tanh => T.Tanh(x),
        UnaryOp.Sigmoid => T.One / (T.One + T.Exp(-x)),
        UnaryOp.Scale => a * x,
        UnaryOp.AddScalar => x + a,
        UnaryOp.Pow => T.Pow(x, a),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };

    /// <summary>f'(x) given x and y = f(x); at a kink (ReLU, LeakyReLU, Abs at 0) the value PyTorch uses.</summary>
    private static T Derivative<T>(UnaryOp op, T x, T y, T a) where T : IFloatingPointIeee754<T> => op switch
    {
        UnaryOp.Neg => -T.One,
        UnaryOp.Exp => y,                                   // (e^x)' = e^x
        UnaryOp.Log => T.One / x,
        UnaryOp.Sqrt => T.One / (T.CreateTruncating(2) * y), // 1 / (2·sqrt x)
        UnaryOp.Abs => x > T.Zero ? T.One : x < T.Zero ? -T.One : T.Zero,
        UnaryOp.Relu => x > T.Zero ? T.One : T.Zero,
        UnaryOp.LeakyRelu => x > T.Zero ? T.One : a,
        UnaryOp.Tanh => T.One - y * y,
        UnaryOp.Sigmoid => y * (T.One - y),
        UnaryOp.Scale => a,
        UnaryOp.AddScalar => T.One,
        UnaryOp.Pow => a * T.Pow(x, a - T.One),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };

    private static void BinaryT<T>(BinaryOp op, T[] a, Shape sa, T[] b, Shape sb, T[] c, Shape sc) where T : IFloatingPointIeee754<T>
    {
        for (long i = 0; i < c.Length; i++)
        {
            T u = a[BroadcastSource(sa, sc, i)], v = b[BroadcastSource(sb, sc, i)];
            c[i] = op switch
            {
                BinaryOp.Add => u + v,
                BinaryOp.Sub => u - v,
                BinaryOp.Mul => u * v,
                BinaryOp.Div => u / v,
                _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
            };
        }
    }

    /// <summary>y = Σ x over broadcast axes: each x[i] added to the element of y that broadcasting y to x's shape
    /// would have copied to position i.</summary>
    private static void SumToT<T>(T[] x, Shape sx, T[] y, Shape sy) where T : IFloatingPointIeee754<T>
    {
        var sum = new double[y.Length];
        for (long i = 0; i < x.Length; i++) sum[BroadcastSource(sy, sx, i)] += double.CreateTruncating(x[i]);
        for (int j = 0; j < y.Length; j++) y[j] = T.CreateTruncating(sum[j]);
    }

    /// <summary>NumPy broadcasting: the position in a row-major tensor of shape <paramref name="from"/> of the element
    /// that lands at linear index <paramref name="i"/> of shape <paramref name="to"/>. Axes align on the right; an axis
    /// of size 1 (or missing on the left) always reads index 0.</summary>
    private static long BroadcastSource(Shape from, Shape to, long i)
    {
        long offset = 0, stride = 1;
        for (int axis = to.Rank - 1, fromAxis = from.Rank - 1; fromAxis >= 0; axis--, fromAxis--)
        {
            long index = i % to[axis];
            i /= to[axis];
            if (from[fromAxis] != 1) offset += index * stride;
            stride *= from[fromAxis];
        }
        return offset;
    }
}
