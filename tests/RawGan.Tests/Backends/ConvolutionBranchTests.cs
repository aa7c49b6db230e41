using RawGan.Backends;
using RawGan.Backends.Cpu;
using RawGan.Backends.Cpu.Reference;
using RawGan.Tensors;

namespace RawGan.Tests.Backends;

/// <summary>
/// The CPU's fast convolutions (im2col and its adjoint, the pointwise and grouped paths) against the reference on
/// every branch of the lowering: strides 1 to 4 in each axis (the stride-1 copy, the stride-2 loop, the general
/// loop), kernel sides 1 to 7, asymmetric and zero padding, odd sizes, and padding wider than the kernel reaches.
/// Small shapes, so the whole sweep costs well under a second. Tolerance as <see cref="FastPathTests"/>: both sides
/// sum at most a few hundred float32 products of size ≤ 1.
/// </summary>
public class ConvolutionBranchTests
{
    public static TheoryData<int, int, int, int> StrideAndKernel()
    {
        var cases = new TheoryData<int, int, int, int>();
        for (int stride = 1; stride <= 4; stride++)
        for (int kernel = 1; kernel <= 7; kernel++)
            cases.Add(stride, stride == 4 ? 1 : 5 - stride, kernel, kernel == 7 ? 2 : kernel); // unequal strides and sides too
        return cases;
    }

    [Theory]
    [MemberData(nameof(StrideAndKernel))]
    public void Every_stride_and_kernel_size_matches_the_reference(int strideW, int strideH, int kernelS, int kernelR)
    {
        // Odd sizes; padding asymmetric in both axes, and zero, and wider than half the kernel.
        foreach ((int pt, int pl, int pb, int pr) in new[] { (0, 0, 0, 0), (1, 2, 0, 1), (kernelR, kernelS - 1, 1, kernelS) })
        {
            var g = new ConvGeometry(2, 3, 11 + kernelR, 9 + kernelS, 4, kernelR, kernelS, strideH, strideW, pt, pl, pb, pr);
            Check(g);
        }
    }

    [Theory]
    [InlineData(1, 1, 1, 1)]   // the smallest convolution
    [InlineData(5, 5, 5, 5)]   // the kernel covers the whole input: one output
    [InlineData(3, 7, 3, 7)]   // a row kernel over a row input
    public void Degenerate_shapes_match_the_reference(int h, int w, int r, int s) =>
        Check(new ConvGeometry(3, 2, h, w, 3, r, s, 1, 1, 0, 0, 0, 0));

    // Branches the sweep above never reached (a coverage run found them): a pointwise convolution of a single image,
    // whose image is its own column matrix (forward) and whose column gradient is dx itself (backward data); kernel
    // columns lying wholly in the right padding, which no input column reaches; and an empty batch.
    [Theory]
    [InlineData(1, 3, 4, 5, 1, 1, 0, 0, 0, 0)]
    [InlineData(2, 2, 2, 2, 3, 5, 1, 0, 0, 3)]
    [InlineData(0, 2, 5, 5, 3, 3, 1, 1, 1, 1)]
    public void Shapes_that_skip_the_lowering_match_the_reference(int n, int c, int h, int w, int r, int s,
                                                                 int padTop, int padLeft, int padBottom, int padRight) =>
        Check(new ConvGeometry(n, c, h, w, 3, r, s, 1, 1, padTop, padLeft, padBottom, padRight));

    private static void Check(ConvGeometry g)
    {
        float[] x = Values((long)g.N * g.C * g.H * g.W, 1), w = Values((long)g.K * g.C * g.R * g.S, 2), dy = Values((long)g.N * g.K * g.P * g.Q, 3);
        float[] Run(IBackend b, Func<IBackend, Tensor> op)
        {
            using var scope = new TensorScope();
            return op(b).ToFloatArray();
        }
        Tensor T(IBackend b, float[] v, int[] shape) => Tensor.FromSpan<float>(v, new Shape(shape), DType.Float32, b);
        Tensor Forward(IBackend b) { Tensor y = Tensor.Empty(new Shape(g.OutputShape), DType.Float32, b); b.Conv2d(g, T(b, x, g.InputShape), T(b, w, g.WeightShape), y); return y; }
        Tensor Data(IBackend b) { Tensor dx = Tensor.Empty(new Shape(g.InputShape), DType.Float32, b); b.Conv2dBackwardData(g, T(b, dy, g.OutputShape), T(b, w, g.WeightShape), dx); return dx; }
        Tensor Filter(IBackend b) { Tensor dw = Tensor.Empty(new Shape(g.WeightShape), DType.Float32, b); b.Conv2dBackwardFilter(g, T(b, x, g.InputShape), T(b, dy, g.OutputShape), dw); return dw; }
        foreach ((string name, Func<IBackend, Tensor> op) in new (string, Func<IBackend, Tensor>)[] { ("forward", Forward), ("backward data", Data), ("backward filter", Filter) })
        {
            float[] expected = Run(ReferenceBackend.Instance, op), actual = Run(CpuBackend.Default, op);
            for (int i = 0; i < expected.Length; i++)
                if (!(Math.Abs(expected[i] - actual[i]) <= 1e-4 * (1 + Math.Abs(expected[i]))))
                    Assert.Fail($"conv {name} {g}: element {i} is {actual[i]:G9}, the reference {expected[i]:G9}");
        }
    }

    private static float[] Values(long n, int seed)
    {
        var g = new Generator((ulong)seed);
        return Enumerable.Range(0, (int)n).Select(_ => (float)(2 * g.NextUniform() - 1)).ToArray();
    }
}
