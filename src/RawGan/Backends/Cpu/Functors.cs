using System.Numerics;
using System.Runtime.CompilerServices;

namespace RawGan.Backends.Cpu;

/// <summary>An elementwise function and its derivative, as a struct so generic loops inline it (no per-element
/// virtual call). Derivatives receive x, y = f(x) and the op's parameter a. The piecewise-linear functions also
/// come as SIMD vectors: written as branches they stall on every mispredicted sign (6 ns an element). So do exp,
/// tanh and sigmoid in float32, computed as the GPU kernels compute them (<see cref="KernelMath"/>); in float64 they
/// stay the C runtime's.</summary>
internal interface IUnaryFn<T> where T : struct, IFloatingPointIeee754<T>
{
    static abstract T F(T x, T a);
    static abstract T D(T x, T y, T a);

    static virtual bool Vectorized => false;
    static virtual Vector<T> F(Vector<T> x, Vector<T> a) => throw new NotSupportedException();
    static virtual Vector<T> D(Vector<T> x, Vector<T> y, Vector<T> a) => throw new NotSupportedException();
}

internal struct NegFn<T> : IUnaryFn<T> where T : struct, IFloatingPointIeee754<T>
{
    public static T F(T x, T a) => -x;
    public static T D(T x, T y, T a) => -T.One;
    public static bool Vectorized => true;
    public static Vector<T> F(Vector<T> x, Vector<T> a) => -x;
    public static Vector<T> D(Vector<T> x, Vector<T> y, Vector<T> a) => -Vector<T>.One;
}

internal struct ExpFn<T> : IUnaryFn<T> where T : struct, IFloatingPointIeee754<T>
{
    public static T F(T x, T a) => T.Exp(x);
    public static T D(T x, T y, T a) => y;
    public static bool Vectorized => typeof(T) == typeof(float);
    public static Vector<T> F(Vector<T> x, Vector<T> a) => Vector.As<float, T>(KernelMath.Exp(Vector.As<T, float>(x)));
    public static Vector<T> D(Vector<T> x, Vector<T> y, Vector<T> a) => y;
}

internal struct LogFn<T> : IUnaryFn<T> where T : struct, IFloatingPointIeee754<T>
{
    public static T F(T x, T a) => T.Log(x);
    public static T D(T x, T y, T a) => T.One / x;
}

internal struct SqrtFn<T> : IUnaryFn<T> where T : struct, IFloatingPointIeee754<T>
{
    public static T F(T x, T a) => T.Sqrt(x);
    public static T D(T x, T y, T a) => T.One / (y + y);
}

internal struct AbsFn<T> : IUnaryFn<T> where T : struct, IFloatingPointIeee754<T>
{
    public static T F(T x, T a) => T.Abs(x);
    public static T D(T x, T y, T a) => x > T.Zero ? T.One : x < T.Zero ? -T.One : T.Zero;
}

internal struct ReluFn<T> : IUnaryFn<T> where T : struct, IFloatingPointIeee754<T>
{
    public static T F(T x, T a) => x > T.Zero ? x : T.Zero;
    public static T D(T x, T y, T a) => x > T.Zero ? T.One : T.Zero;
    public static bool Vectorized => true;
    public static Vector<T> F(Vector<T> x, Vector<T> a) => Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<T>.Zero), x, Vector<T>.Zero);
    public static Vector<T> D(Vector<T> x, Vector<T> y, Vector<T> a) => Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<T>.Zero), Vector<T>.One, Vector<T>.Zero);
}

internal struct LeakyReluFn<T> : IUnaryFn<T> where T : struct, IFloatingPointIeee754<T>
{
    public static T F(T x, T a) => x > T.Zero ? x : a * x;
    public static T D(T x, T y, T a) => x > T.Zero ? T.One : a;
    public static bool Vectorized => true;
    public static Vector<T> F(Vector<T> x, Vector<T> a) => Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<T>.Zero), x, a * x);
    public static Vector<T> D(Vector<T> x, Vector<T> y, Vector<T> a) => Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<T>.Zero), Vector<T>.One, a);
}

internal struct TanhFn<T> : IUnaryFn<T> where T : struct, IFloatingPointIeee754<T>
{
    public static T F(T x, T a) => T.Tanh(x);
    public static T D(T x, T y, T a) => T.One - y * y;
    public static bool Vectorized => typeof(T) == typeof(float);
    public static Vector<T> F(Vector<T> x, Vector<T> a) => Vector.As<float, T>(KernelMath.Tanh(Vector.As<T, float>(x)));
    public static Vector<T> D(Vector<T> x, Vector<T> y, Vector<T> a) => Vector<T>.One - y * y;
}

internal struct SigmoidFn<T> : IUnaryFn<T> where T : struct, IFloatingPointIeee754<T>
{
    // One branch-free formula: exp(-x) overflowing to infinity for x << 0 still gives the right limit, 0.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T F(T x, T a) => T.One / (T.One + T.Exp(-x));
    public static T D(T x, T y, T a) => y * (T.One - y);
    public static bool Vectorized => typeof(T) == typeof(float);
    public static Vector<T> F(Vector<T> x, Vector<T> a) => Vector.As<float, T>(KernelMath.Sigmoid(Vector.As<T, float>(x)));
    public static Vector<T> D(Vector<T> x, Vector<T> y, Vector<T> a) => y * (Vector<T>.One - y);
}

internal struct ScaleFn<T> : IUnaryFn<T> where T : struct, IFloatingPointIeee754<T>
{
    public static T F(T x, T a) => a * x;
    public static T D(T x, T y, T a) => a;
    public static bool Vectorized => true;
    public static Vector<T> F(Vector<T> x, Vector<T> a) => a * x;
    public static Vector<T> D(Vector<T> x, Vector<T> y, Vector<T> a) => a;
}

internal struct AddScalarFn<T> : IUnaryFn<T> where T : struct, IFloatingPointIeee754<T>
{
    public static T F(T x, T a) => x + a;
    public static T D(T x, T y, T a) => T.One;
    public static bool Vectorized => true;
    public static Vector<T> F(Vector<T> x, Vector<T> a) => x + a;
    public static Vector<T> D(Vector<T> x, Vector<T> y, Vector<T> a) => Vector<T>.One;
}

internal struct PowFn<T> : IUnaryFn<T> where T : struct, IFloatingPointIeee754<T>
{
    public static T F(T x, T a) => T.Pow(x, a);
    public static T D(T x, T y, T a) => a * T.Pow(x, a - T.One);
}

/// <summary>A binary elementwise function.</summary>
internal interface IBinaryFn<T> where T : struct, IFloatingPointIeee754<T>
{
    static abstract T F(T a, T b);
}

internal struct AddFn<T> : IBinaryFn<T> where T : struct, IFloatingPointIeee754<T> { public static T F(T a, T b) => a + b; }
internal struct SubFn<T> : IBinaryFn<T> where T : struct, IFloatingPointIeee754<T> { public static T F(T a, T b) => a - b; }
internal struct MulFn<T> : IBinaryFn<T> where T : struct, IFloatingPointIeee754<T> { public static T F(T a, T b) => a * b; }
internal struct DivFn<T> : IBinaryFn<T> where T : struct, IFloatingPointIeee754<T> { public static T F(T a, T b) => a / b; }
