using RawGan.Backends.Cpu;
using RawGan.Backends.Cpu.Reference;
using RawGan.Nn;
using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Tests.Autograd;

/// <summary>In-place activations: the same values and gradients as out of place, and a clear refusal where an
/// earlier op still needs what they overwrite (PyTorch's version-counter rule).</summary>
public class InPlaceTests
{
    private static Tensor Input() => Tensor.Randn(new Shape(4, 5), new Generator(3), DType.Float64, ReferenceBackend.Instance);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void In_place_activations_give_the_out_of_place_values_and_gradients(bool leaky)
    {
        (double[] Y, double[] Grad) Run(bool inplace)
        {
            Tensor a = Input();
            a.RequiresGrad = true;
            Tensor x = a * 3.0 - 1.0;                         // a non-leaf, as a layer's output is
            Tensor y = leaky ? (inplace ? F.LeakyRelu_(x, 0.2) : F.LeakyRelu(x, 0.2)) : (inplace ? F.Relu_(x) : F.Relu(x));
            (y * y).Sum().Backward();
            return (y.ToDoubleArray(), a.Grad!.ToDoubleArray());
        }
        var (outY, outGrad) = Run(inplace: false);
        var (inY, inGrad) = Run(inplace: true);
        Assert.Equal(outY, inY);
        Assert.Equal(outGrad, inGrad);
    }

    [Fact]
    public void The_module_flag_writes_over_its_input()
    {
        Tensor x = Input() * 1.0;
        Tensor y = new LeakyReLU(0.2, inplace: true).Forward(x);
        Assert.Same(x.Storage, y.Storage);
        Assert.NotSame(x.Storage, new LeakyReLU(0.2).Forward(y).Storage);
    }

    [Fact]
    public void Overwriting_a_value_an_earlier_op_still_needs_fails_at_backward_with_the_op_named()
    {
        Tensor a = Input();
        a.RequiresGrad = true;
        Tensor x = a * 2.0;
        Tensor product = x * x;   // mul keeps x for its backward
        Tensor y = F.Relu_(x);    // and x is overwritten
        var e = Assert.Throws<InvalidOperationException>(() => (product + y).Sum().Backward());
        Assert.Contains("'mul'", e.Message);
        Assert.Contains("in-place", e.Message);
    }

    [Fact]
    public void Overwriting_an_output_its_own_op_reads_back_fails_too()
    {
        Tensor a = Input();
        a.RequiresGrad = true;
        Tensor t = F.Tanh(a);     // tanh's derivative reads its output
        Tensor y = F.Relu_(t);
        var e = Assert.Throws<InvalidOperationException>(() => y.Sum().Backward());
        Assert.Contains("'tanh'", e.Message);
    }

    [Fact]
    public void A_leaf_that_requires_grad_cannot_be_overwritten_and_a_negative_slope_is_refused()
    {
        Tensor a = Input();
        a.RequiresGrad = true;
        Assert.Throws<InvalidOperationException>(() => F.Relu_(a));
        Assert.Throws<ArgumentOutOfRangeException>(() => F.LeakyRelu_(Input() * 1.0, -0.5));
    }
}
