using RawGan.Ops;
using RawGan.Tensors;
using static RawGan.Tests.Autograd.OpCheck;

namespace RawGan.Tests.Autograd;

/// <summary>
/// Second-order checks (see <see cref="SecondOrderCheck"/>) of the ops on the path of a DCGAN or MLP discriminator,
/// as R1 and WGAN-GP differentiate them: float64 on the reference backend, tolerances as in GradCheckTests.
/// </summary>
public class SecondOrderGradCheckTests
{
    [Fact]
    public void Mlp_discriminator_with_leaky_relu()
    {
        SecondOrderCheck.Grad(
            x => F.Linear(F.LeakyRelu(F.Linear(x[0], x[1], x[2]), 0.2), x[3], x[4]),
            [Input([3, 4]), Input([5, 4]), Input([5]), Input([1, 5]), Input([1])]);
    }

    [Fact]
    public void In_place_leaky_relu_stays_correct()
    {
        SecondOrderCheck.Grad(x => F.Linear(F.LeakyRelu_(F.Linear(x[0], x[1]), 0.2), x[2]), [Input([3, 4]), Input([5, 4]), Input([2, 5])]);
    }

    [Fact]
    public void A_slope_overwritten_after_a_recorded_backward_is_refused()
    {
        Tensor x = Input([2, 3]), w = Input([3, 3]);
        Tensor y = F.LeakyRelu_(F.Linear(x, w), 0.2);
        Tensor dx = F.Grad(F.Sum(y), [x], createGraph: true)[0]!;
        F.Relu_(y);
        var e = Assert.Throws<InvalidOperationException>(() => F.Grad(F.Sum(dx * dx), [w]));
        Assert.Contains("unary_backward", e.Message);
        Assert.Contains("in-place", e.Message);
    }

    [Fact]
    public void Matmul()
    {
        SecondOrderCheck.Grad(x => F.Tanh(F.Matmul(x[0], x[1])), [Input([3, 4]), Input([4, 2])]);
    }

    [Fact]
    public void Convolutions()
    {
        Padding2d same = Padding2d.Same(5, 5, 4, 4, 2, 2);
        SecondOrderCheck.Grad(x => F.Sigmoid(F.Conv2d(x[0], x[1], x[2], 2, 1)), [Input([2, 2, 5, 5]), Input([3, 2, 3, 3]), Input([3])]);
        SecondOrderCheck.Grad(x => F.Tanh(F.Conv2d(x[0], x[1], null, (2, 2), same)), [Input([1, 2, 5, 5]), Input([2, 2, 4, 4])]);
        SecondOrderCheck.Grad(x => F.Tanh(F.ConvTranspose2d(x[0], x[1], x[2], 2, 1, 1)), [Input([2, 2, 3, 3]), Input([2, 3, 3, 3]), Input([3])]);
    }

    [Fact]
    public void Dcgan_discriminator_shape_penalty()
    {
        // conv -> leaky -> flatten -> linear, the penalty's own form: ‖∇x D(x)‖² summed, differentiated in the weights.
        SecondOrderCheck.Grad(
            x => F.Linear(F.LeakyRelu(F.Conv2d(x[0], x[1], x[2], 2, 1), 0.2).Flatten(), x[3]),
            [Input([2, 1, 4, 4]), Input([2, 1, 4, 4]), Input([2]), Input([1, 8])]);
    }

    [Fact]
    public void Unary_maps_and_arithmetic()
    {
        int[] s = [2, 3];
        SecondOrderCheck.Grad(x => F.Exp(x[0]) * x[1], [Input(s), Input(s)]);
        SecondOrderCheck.Grad(x => F.Log(x[0]) * x[1], [Input(s, 0.5, 2), Input(s)]);
        SecondOrderCheck.Grad(x => F.Sqrt(x[0]) * x[1], [Input(s, 0.5, 2), Input(s)]);
        SecondOrderCheck.Grad(x => F.Pow(x[0], 3) * x[1], [Input(s), Input(s)]);
        SecondOrderCheck.Grad(x => F.Abs(x[0]) * F.Relu(x[1]) - x[1] * 0.5 + 2.0, [Input(s), Input(s)]);
        SecondOrderCheck.Grad(x => F.Div(x[0], x[1]) * x[0], [Input([2, 3]), Input([3], 0.5, 2)]);
        SecondOrderCheck.Grad(x => F.SumTo(x[0] * x[0], new Shape(1, 3)) * x[1], [Input(s), Input([1, 3])]);
        SecondOrderCheck.Grad(x => (x[0] * x[1]).Mean() * x[0].Sum(), [Input(s), Input(s)]);
    }

    [Fact]
    public void Losses()
    {
        Tensor t = Input([4, 1], 0, 1, requiresGrad: false);
        SecondOrderCheck.Grad(x => F.BinaryCrossEntropyWithLogits(F.Linear(x[0], x[1]), t), [Input([4, 3]), Input([1, 3])]);
        SecondOrderCheck.Grad(x => F.MseLoss(F.Linear(x[0], x[1]), t), [Input([4, 3]), Input([1, 3])]);
        Tensor classes = Input([4, 2], 0, 1, requiresGrad: false);
        SecondOrderCheck.Grad(x => F.CrossEntropy(F.Linear(x[0], x[1]), classes), [Input([4, 3]), Input([2, 3])]);
    }

    [Fact]
    public void Conditional_discriminator_with_embedding_and_concat()
    {
        Tensor labels = Tensor.FromArray([1, 0, 2], new Shape(3)).To(Input([1]).Backend);
        SecondOrderCheck.Grad(
            x => F.Linear(F.Tanh(F.Concat([x[0], F.Embedding(labels, x[1])])), x[2]),
            [Input([3, 2]), Input([3, 2]), Input([1, 4])]);
    }

    [Fact]
    public void Grad_returns_gradients_without_touching_Grad()
    {
        Tensor x = Input([3]), w = Input([3]), unused = Input([2]);
        Tensor?[] g = F.Grad(F.Sum(x * w), [x, unused]);
        Assert.Equal(w.ToDoubleArray(), g[0]!.ToDoubleArray());
        Assert.Null(g[1]);
        Assert.Null(x.Grad);
        Assert.Null(w.Grad);
        Assert.False(g[0]!.RequiresGrad);
    }

    [Fact]
    public void BatchNorm_refuses_a_recorded_backward_with_a_message()
    {
        Tensor x = Input([4, 3]);
        Tensor y = F.BatchNorm(x, null, null, training: true);
        var e = Assert.Throws<NotSupportedException>(() => F.Grad(F.Sum(y * y), [x], createGraph: true));
        Assert.Contains("batch_norm", e.Message);
        Assert.Contains("BatchNorm", e.Message);
    }
}
