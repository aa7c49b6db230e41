using RawGan.Nn;
using RawGan.Tensors;
using RawGan.Tests.Autograd;

namespace RawGan.Tests.Nn;

/// <summary>The minibatch standard deviation and minibatch discrimination layers: values by hand, gradients by
/// finite differences.</summary>
public class MinibatchLayerTests
{
    [Fact]
    public void Stddev_appends_the_mean_feature_std_as_a_channel()
    {
        // Two samples of two features: stds 1 and 2 (population), mean 1.5.
        Tensor x = Tensor.FromArray(new[] { 0f, 0f, 2f, 4f }, new Shape(2, 2));
        float[] y = new MinibatchStdDev(eps: 0).Forward(x).ToArray<float>();
        Assert.Equal(new[] { 0f, 0f, 1.5f, 2f, 4f, 1.5f }, y);
        Assert.Equal(new Shape(3, 4, 5, 5), new MinibatchStdDev().Forward(Tensor.Zeros(new Shape(3, 3, 5, 5))).Shape);
    }

    [Fact]
    public void Stddev_gradient_is_right() =>
        OpCheck.Grad(t => new MinibatchStdDev().Forward(t[0]), [OpCheck.S(4, 2, 3, 3)]);

    [Fact]
    public void Discrimination_sums_kernel_similarities_over_the_batch()
    {
        // T the identity: M = f, one kernel of 2 values; L1 distance 3 between the samples.
        Tensor f = Tensor.FromArray(new[] { 0f, 0f, 1f, 2f }, new Shape(2, 2));
        Tensor t = Tensor.FromArray(new[] { 1f, 0f, 0f, 1f }, new Shape(2, 2));
        float[] y = MinibatchDiscrimination.Apply(f, t, kernels: 1, kernelDims: 2).ToArray<float>();
        float o = 1 + (float)Math.Exp(-3);
        Assert.Equal(new[] { 0f, 0f, o, 1f, 2f, o }, y, (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal(new Shape(5, 10), new MinibatchDiscrimination(7, 3, 4).Forward(Tensor.Zeros(new Shape(5, 7))).Shape);
    }

    [Fact]
    public void Discrimination_gradient_is_right() =>
        OpCheck.Grad(t => MinibatchDiscrimination.Apply(t[0], t[1], kernels: 3, kernelDims: 2), [OpCheck.S(4, 5), OpCheck.S(5, 6)], atol: 1e-5, rtol: 1e-4);
}
