using RawGan.Backends;
using RawGan.Backends.Cpu;
using RawGan.Backends.Cpu.Reference;
using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Tests.Autograd;

/// <summary>In-place ReLU and LeakyReLU backward from their output alone, where it is hardest: inputs that are exactly
/// 0 and negative (in place, both leave y = 0 for ReLU, and backward sees only y), and an upstream gradient that is
/// non-zero everywhere, so a wrong derivative anywhere shows. PyTorch's derivative at 0 is 0 for ReLU and the slope
/// for LeakyReLU (its backward tests x &gt; 0).</summary>
public class InPlaceGradientTests
{
    public static TheoryData<string, DType, double> Cases()
    {
        var cases = new TheoryData<string, DType, double>();
        foreach (string backend in new[] { "default", "reference" })
        foreach (DType dtype in new[] { DType.Float32, DType.Float64 })
        foreach (double slope in new[] { 0.0, 0.2 }) // 0: F.Relu_, else F.LeakyRelu_
            cases.Add(backend, dtype, slope);
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void In_place_backward_is_dy_times_the_derivative_at_x_even_at_zero(string backendName, DType dtype, double slope)
    {
        IBackend backend = backendName == "reference" ? ReferenceBackend.Instance : CpuBackend.Default;
        // More than one SIMD vector and a ragged tail; exact zeros (both signs) among negatives and positives.
        double[] x = Enumerable.Range(0, 67).Select(i => (i % 5) switch { 0 => 0.0, 1 => -1.5 - i, 2 => 0.25 * i + 0.5, 3 => -0.0, _ => -0.125 }).ToArray();
        double[] upstream = Enumerable.Range(0, x.Length).Select(i => 1.0 + 0.5 * (i % 7)).ToArray(); // never 0
        Tensor a = Tensor.FromArray(x, new Shape(x.Length)).ToDType(dtype).To(backend);
        a.RequiresGrad = true;
        Tensor h = a * 1.0; // a non-leaf, as a layer's output is
        Tensor y = slope == 0 ? F.Relu_(h) : F.LeakyRelu_(h, slope);
        Tensor weights = Tensor.FromArray(upstream, new Shape(x.Length)).ToDType(dtype).To(backend);
        (y * weights).Sum().Backward(); // dL/dy = upstream
        double[] grad = a.Grad!.ToDoubleArray();
        for (int i = 0; i < x.Length; i++)
        {
            double expected = upstream[i] * (x[i] > 0 ? 1 : slope);
            Assert.True(grad[i] == (dtype == DType.Float32 ? (float)expected : expected),
                $"{backendName} {dtype} slope {slope}: x = {x[i]}, upstream {upstream[i]}: gradient {grad[i]}, expected {expected}");
        }
    }
}
