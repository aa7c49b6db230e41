using RawGan.Autograd;
using RawGan.Backends;
using RawGan.Backends.Cpu;
using RawGan.Backends.Cpu.Reference;
using RawGan.Ops;
using RawGan.Tensors;
using static RawGan.Tests.Autograd.OpCheck;

namespace RawGan.Tests.Autograd;

/// <summary>
/// Every op's backward against central differences in float64 on the reference backend. With eps = 1e-6 the
/// truncation error is O(eps²)·f''' ≈ 1e-12 and the rounding error O(1e-16/eps) ≈ 1e-10 for values of order 1,
/// so atol 1e-6 with rtol 1e-5 leaves four orders of magnitude of margin while still catching any wrong term.
/// </summary>
public class GradCheckTests
{
    [Theory]
    [InlineData(new[] { 3, 4 }, new[] { 3, 4 })]
    [InlineData(new[] { 2, 3, 4 }, new[] { 4 })]
    [InlineData(new[] { 2, 1, 4 }, new[] { 3, 1 })]
    [InlineData(new[] { 1 }, new int[0])]
    public void Arithmetic_with_broadcasting(int[] a, int[] b)
    {
        Grad(x => x[0] + x[1], [a, b]);
        Grad(x => x[0] - x[1], [a, b]);
        Grad(x => x[0] * x[1], [a, b]);
        Grad(x => F.Div(x[0], x[1]), [Input(a), Input(b, 0.5, 2)]);
    }

    [Fact]
    public void Unary_maps()
    {
        int[] s = [3, 5];
        Grad(x => F.Neg(x[0]), [s]);
        Grad(x => F.Exp(x[0]), [s]);
        Grad(x => F.Log(x[0]), [Input(s, 0.2, 3)]);
        Grad(x => F.Sqrt(x[0]), [Input(s, 0.2, 3)]);
        Grad(x => F.Pow(x[0], 3), [s]);
        Grad(x => F.Scale(x[0], -2.5), [s]);
        Grad(x => F.AddScalar(x[0], 4), [s]);
        Grad(x => F.Abs(x[0]), [s]);
    }

    [Theory]
    [InlineData(1, 7)]
    [InlineData(4, 3)]
    public void Activations(int n, int d)
    {
        Grad(x => F.Relu(x[0]), [[n, d]]);
        Grad(x => F.LeakyRelu(x[0], 0.2), [[n, d]]);
        Grad(x => F.Tanh(x[0]), [[n, d]]);
        Grad(x => F.Sigmoid(x[0]), [Input([n, d], -6, 6)]);
    }

    [Fact]
    public void Reductions_and_views()
    {
        Grad(x => x[0].Sum(), [[2, 3, 4]]);
        Grad(x => x[0].Mean(), [[5, 1]]);
        Grad(x => F.SumTo(x[0], new Shape(3, 1)), [[2, 3, 4]]);
        Grad(x => F.ExpandTo(x[0], new Shape(2, 3, 4)), [[3, 1]]);
        Grad(x => x[0].Reshape(4, -1) * x[0].Reshape(4, 6), [[2, 3, 4]]);
        Grad(x => F.Flatten(x[0]), [[2, 3, 2, 2]]);
        Grad(x => F.Narrow(x[0], 1, 1, 2), [[2, 4, 3]]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    public void Concat(int axis)
    {
        Grad(x => F.Concat([x[0], x[1], x[0]], axis), [[2, 3, 4], [2, 3, 4]]);
    }

    [Fact]
    public void Concat_of_different_widths_as_in_the_conditional_gan() =>
        Grad(x => F.Concat([x[0], x[1]], 1), [[3, 10], [3, 5]]);

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(5, 7, 3)]
    [InlineData(2, 16, 9)]
    public void Linear_and_matmul(int n, int inF, int outF)
    {
        Grad(x => F.Linear(x[0], x[1], x[2]), [[n, inF], [outF, inF], [outF]]);
        Grad(x => F.Linear(x[0], x[1]), [[n, inF], [outF, inF]]);
        Grad(x => F.Matmul(x[0], x[1]), [[n, inF], [inF, outF]]);
    }

    public static TheoryData<int[], int, int, int, int, int, int> ConvCases => new()
    {
        // x shape, K, kernel, stride, pad top/left, pad bottom/right, (unused for conv) output padding
        { [1, 1, 5, 5], 1, 1, 1, 0, 0, 0 },
        { [2, 3, 7, 6], 4, 3, 1, 1, 1, 0 },
        { [2, 2, 8, 8], 3, 4, 2, 1, 1, 0 },
        { [1, 2, 9, 7], 2, 5, 2, 1, 2, 0 },   // TensorFlow 'same', asymmetric
        { [1, 3, 6, 6], 2, 3, 2, 0, 0, 0 },
        { [2, 1, 4, 4], 2, 4, 1, 0, 0, 0 },
    };

    [Theory]
    [MemberData(nameof(ConvCases))]
    public void Conv2d(int[] x, int k, int kernel, int stride, int padBefore, int padAfter, int unused)
    {
        _ = unused;
        var pad = new Padding2d(padBefore, padBefore, padAfter, padAfter);
        Grad(t => F.Conv2d(t[0], t[1], t[2], stride, pad), [x, [k, x[1], kernel, kernel], [k]]);
    }

    public static TheoryData<int[], int, int, int, int, int, int> ConvTransposeCases => new()
    {
        { [1, 3, 1, 1], 2, 4, 1, 0, 0, 0 },   // DCGAN's first generator layer: 1×1 to 4×4
        { [2, 2, 3, 3], 3, 4, 2, 1, 1, 0 },
        { [1, 2, 3, 4], 2, 3, 2, 1, 1, 1 },
        { [1, 2, 3, 3], 1, 5, 2, 2, 2, 1 },
        { [1, 2, 4, 3], 2, 5, 2, 1, 2, 0 },   // TensorFlow 'same' transposed: out = in·2
        { [2, 3, 3, 3], 2, 1, 1, 0, 0, 0 },
    };

    [Theory]
    [MemberData(nameof(ConvTransposeCases))]
    public void ConvTranspose2d(int[] x, int cout, int kernel, int stride, int padBefore, int padAfter, int outputPadding)
    {
        var pad = new Padding2d(padBefore, padBefore, padAfter, padAfter);
        Grad(t => F.ConvTranspose2d(t[0], t[1], t[2], stride, pad, outputPadding), [x, [x[1], cout, kernel, kernel], [cout]]);
    }

    [Theory]
    [InlineData(new[] { 4, 3 }, 1e-5)]
    [InlineData(new[] { 2, 3, 3, 2 }, 1e-5)]
    [InlineData(new[] { 5, 6 }, 0.8)]        // the MNIST CGAN recipe's eps
    [InlineData(new[] { 1, 2, 3, 3 }, 1e-5)] // batch 1: statistics over the spatial axes only
    public void BatchNorm_train(int[] x, double eps)
    {
        int c = x[1];
        Grad(t => F.BatchNorm(t[0], null, null, t[1], t[2], training: true, eps: eps), [Input(x), Input([c], 0.5, 1.5), Input([c])]);
        Grad(t => F.BatchNorm(t[0], null, null, training: true, eps: eps), [Input(x)]);
    }

    [Fact]
    public void BatchNorm_eval()
    {
        Tensor mean = Input([3], requiresGrad: false), var = Input([3], 0.5, 2, requiresGrad: false);
        Grad(t => F.BatchNorm(t[0], mean, var, t[1], t[2], training: false), [Input([4, 3, 2, 2]), Input([3]), Input([3])]);
    }

    [Fact]
    public void Losses()
    {
        Tensor target = Input([4, 3], 0, 1, requiresGrad: false);
        Grad(t => F.BinaryCrossEntropy(t[0], target), [Input([4, 3], 0.05, 0.95)]);
        Grad(t => F.BinaryCrossEntropy(t[0], target, Reduction.Sum), [Input([4, 3], 0.05, 0.95)]);
        Grad(t => F.BinaryCrossEntropyWithLogits(t[0], target), [Input([4, 3], -8, 8)]);
        Grad(t => F.CrossEntropy(t[0], target), [Input([4, 3], -8, 8)]);
        Grad(t => F.MseLoss(t[0], t[1]), [[4, 3], [4, 3]]);
        Grad(t => F.MseLoss(t[0], target, Reduction.None), [[4, 3]]);
    }

    [Fact]
    public void Dropout_is_a_fixed_mask_times_the_input()
    {
        // The mask is drawn from the generator's position, so each evaluation of the checker uses the same one.
        Grad(t => F.Dropout(t[0], 0.4, training: true, new Generator(7)), [[6, 5]]);
    }

    [Fact]
    public void Embedding_with_repeated_indices()
    {
        Tensor idx = Tensor.FromSpan<int>([3, 1, 3, 0, 9], new Shape(5), DType.Int32, ReferenceBackend.Instance);
        Grad(t => F.Embedding(idx, t[0]), [[10, 4]]);
    }

    [Fact]
    public void A_tensor_used_twice_receives_the_sum_of_both_gradients() =>
        Grad(t => t[0] * t[0] + F.Tanh(t[0]), [[3, 3]]);

    [Fact]
    public void The_checker_reports_a_wrong_backward()
    {
        // The derivative of sin written as +sin instead of cos: a planted bug the check must catch.
        static Tensor WrongSin(Tensor x)
        {
            double[] v = x.ToDoubleArray();
            Tensor y = Tensor.FromSpan<double>(v.Select(Math.Sin).ToArray(), x.Shape, DType.Float64, x.Backend);
            return RecordForTest(y, x, dy => dy * Tensor.FromSpan<double>(v.Select(Math.Sin).ToArray(), x.Shape, DType.Float64, x.Backend));
        }

        GradCheckResult result = GradCheck.Run(t => WrongSin(t[0]), [Input([3, 4])]);
        Assert.False(result.Passed);
        Assert.Contains("largest difference", result.Report);
        Assert.Contains("first analytic", result.Report);
    }

    private static Tensor RecordForTest(Tensor y, Tensor x, Func<Tensor, Tensor> rule) =>
        y.RecordedBy(new Node("wrong_sin", [x], g => [rule(g)]));
}
