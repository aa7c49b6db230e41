using RawGan.Ops;

namespace RawGan.Tensors;

// The arithmetic a user writes inline (a * b + c, x.Reshape(...)), delegating to F where the ops live.
public sealed partial class Tensor
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

    public Tensor Reshape(params int[] shape) => F.Reshape(this, shape);
    public Tensor View(params int[] shape) => F.Reshape(this, shape);
    public Tensor Flatten(int startDim = 1) => F.Flatten(this, startDim);
    public Tensor Sum() => F.Sum(this);
    public Tensor Mean() => F.Mean(this);
}
