using RawGan.Tensors;

namespace RawGan.Ops;

/// <summary>
/// The arithmetic a user writes inline (a * b + c, x.Reshape(...)), delegating to <see cref="F"/> where the ops
/// live. Extension members (C# 14), so <see cref="Tensor"/> stays below the ops that compute on it: they come into
/// scope with <c>using RawGan.Ops;</c>.
/// </summary>
public static class TensorOperators
{
    extension(Tensor)
    {
        public static Tensor operator +(Tensor a, Tensor b) => F.Add(a, b);
        public static Tensor operator -(Tensor a, Tensor b) => F.Sub(a, b);
        public static Tensor operator *(Tensor a, Tensor b) => F.Mul(a, b);
        public static Tensor operator /(Tensor a, Tensor b) => F.Div(a, b);
        public static Tensor operator -(Tensor a) => F.Neg(a);
        public static Tensor operator +(Tensor a, double b) => F.AddScalar(a, b);
        public static Tensor operator -(Tensor a, double b) => F.AddScalar(a, -b);
        public static Tensor operator *(Tensor a, double b) => F.Scale(a, b);
        public static Tensor operator *(double a, Tensor b) => F.Scale(b, a);
        public static Tensor operator /(Tensor a, double b) => F.Scale(a, 1 / b);
    }

    extension(Tensor t)
    {
        public Tensor Reshape(params int[] shape) => F.Reshape(t, shape);
        public Tensor View(params int[] shape) => F.Reshape(t, shape);
        public Tensor Flatten(int startDim = 1) => F.Flatten(t, startDim);
        public Tensor Sum() => F.Sum(t);
        public Tensor Mean() => F.Mean(t);
    }
}
