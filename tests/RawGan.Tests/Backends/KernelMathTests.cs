using System.Numerics;
using RawGan.Backends.Cpu;

namespace RawGan.Tests.Backends;

/// <summary>
/// <see cref="KernelMath"/> (the GPU kernels' float32 exp, tanh and sigmoid, which the CPU's float32 path shares)
/// against float64: within the bounds kernels/elementwise.ptx states, on a dense sweep of each function's working
/// range and its edges, with NaN, infinities, overflow and underflow as the kernel defines them.
/// </summary>
public class KernelMathTests
{
    public static TheoryData<string, double, double, double> Functions => new()
    {
        // function, sweep low, sweep high, bound in ulp of the exact result
        { "exp", -103, 88.7, 1.0 },
        { "tanh", -12, 12, 1.6 },
        { "sigmoid", -40, 40, 2.5 },
    };

    [Theory]
    [MemberData(nameof(Functions))]
    public void Stays_within_its_stated_ulp_bound(string function, double low, double high, double bound)
    {
        var (vector, exact) = Pick(function);
        const int n = 400_000;
        double worst = 0, at = 0;
        float[] xs = new float[Vector<float>.Count];
        for (int i = 0; i < n; i += xs.Length)
        {
            for (int j = 0; j < xs.Length; j++) xs[j] = (float)(low + (high - low) * (i + j) / n);
            Vector<float> y = vector(new Vector<float>(xs));
            for (int j = 0; j < xs.Length; j++)
            {
                double e = exact(xs[j]);
                double err = Math.Abs(y[j] - e) / Ulp((float)e);
                if (err > worst) (worst, at) = (err, xs[j]);
            }
        }
        Assert.True(worst <= bound, $"{function}: {worst:F3} ulp at x = {at:R} (bound {bound})");
    }

    [Fact]
    public void Special_values_follow_the_kernels()
    {
        float[] x = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, 100f, -200f, 1e-30f];
        float[] Run(Func<Vector<float>, Vector<float>> f)
        {
            var lanes = new float[Vector<float>.Count * ((x.Length + Vector<float>.Count - 1) / Vector<float>.Count)];
            x.CopyTo(lanes, 0);
            var result = new float[lanes.Length];
            for (int i = 0; i < lanes.Length; i += Vector<float>.Count) f(new Vector<float>(lanes, i)).CopyTo(result, i);
            return result[..x.Length];
        }
        float[] e = Run(KernelMath.Exp), t = Run(KernelMath.Tanh), s = Run(KernelMath.Sigmoid);
        Assert.True(float.IsNaN(e[0]) && float.IsNaN(t[0]) && float.IsNaN(s[0]));
        Assert.Equal([float.PositiveInfinity, 0f, 1f, 1f, float.PositiveInfinity, 0f, 1f], e[1..]);
        Assert.Equal([1f, -1f, 0f, -0f, 1f, -1f, 1e-30f], t[1..]);
        Assert.Equal([1f, 0f, 0.5f, 0.5f, 1f, 0f, 0.5f], s[1..]);
    }

    private static (Func<Vector<float>, Vector<float>>, Func<double, double>) Pick(string function) => function switch
    {
        "exp" => (KernelMath.Exp, Math.Exp),
        "tanh" => (KernelMath.Tanh, Math.Tanh),
        _ => (KernelMath.Sigmoid, v => 1 / (1 + Math.Exp(-v))),
    };

    /// <summary>The spacing of float32 values at |v| (for subnormal results, the subnormal spacing).</summary>
    private static double Ulp(float v)
    {
        float a = Math.Abs(v);
        return (double)MathF.BitIncrement(a) - a;
    }
}
