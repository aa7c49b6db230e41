using RawGan.Backends;
using RawGan.Backends.Cpu;
using RawGan.Backends.Cpu.Reference;
using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Tests.Golden;

/// <summary>
/// R1's and WGAN-GP's penalties and their gradients in a small conv discriminator's weights against PyTorch's
/// create_graph=True (tools/golden/make_penalty_golden.py), on both CPU tiers; tolerances as in GoldenOpTests.
/// </summary>
public class GoldenPenaltyTests
{
    [Theory]
    [InlineData("r1", "default")]
    [InlineData("r1", "reference")]
    [InlineData("gp", "default")]
    [InlineData("gp", "reference")]
    public void Penalty_gradients_match_PyTorch(string penalty, string backend)
    {
        var g = GoldenFile.Load("penalties");
        IBackend b = backend == "reference" ? ReferenceBackend.Instance : CpuBackend.Default;
        Tensor x = g.Tensor("x", b, true);
        Tensor cw = g.Tensor("conv_weight", b, true), cb = g.Tensor("conv_bias", b, true);
        Tensor lw = g.Tensor("linear_weight", b, true), lb = g.Tensor("linear_bias", b, true);
        Tensor d = F.Reshape(F.Linear(F.LeakyRelu(F.Conv2d(x, cw, cb, 2, 1), 0.2).Flatten(), lw, lb), -1);

        Tensor dx = F.Grad(d.Sum(), [x], createGraph: true)[0]!;
        Tensor norms = F.SumTo(F.Pow(dx.Reshape(3, -1), 2), new Shape(3, 1));
        Tensor value = penalty == "r1" ? norms.Sum() : F.Mean(F.Pow(F.Sqrt(norms) - 1, 2));
        Tensor?[] grads = F.Grad(value, [cw, cb, lw, lb]);

        if (penalty == "r1") Close.Assert("dx", g.F32("dx"), dx);
        Close.Assert(penalty, g.F32(penalty), value);
        Close.Assert("dconv_weight", g.F32($"{penalty}_dconv_weight"), grads[0]!);
        Close.Assert("dlinear_weight", g.F32($"{penalty}_dlinear_weight"), grads[2]!);
        // Neither bias reaches the gradient in x except through LeakyReLU's piecewise-constant slope: PyTorch gives
        // zeros for the conv bias, RawGan no gradient at all (its rule's slope is not recorded as a function of it).
        Assert.All(g.F32($"{penalty}_dconv_bias"), v => Assert.Equal(0f, v));
        Assert.Null(grads[1]);
        Assert.Null(grads[3]);
    }
}
