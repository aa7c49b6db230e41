using RawGan.Backends.Cpu;
using RawGan.Nn;
using RawGan.Tensors;
using RawGan.Tests.Autograd;
using RawGan.Tests.Golden;

namespace RawGan.Tests.Nn;

/// <summary>The minibatch standard deviation and minibatch discrimination layers: values by hand, gradients by
/// finite differences, minibatch discrimination against PyTorch (tools/golden/make_minibatch_golden.py).</summary>
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
    public void Discrimination_sums_kernel_similarities_over_the_rest_of_the_batch()
    {
        // T the identity: M = f, one kernel of 2 values; L1 distances 3 (samples 0, 1), 1 (1, 2) and 4 (0, 2).
        Tensor f = Tensor.FromArray(new[] { 0f, 0f, 1f, 2f, 1f, 3f }, new Shape(3, 2));
        Tensor t = Tensor.FromArray(new[] { 1f, 0f, 0f, 1f }, new Shape(2, 1, 2));
        float[] y = MinibatchDiscrimination.Apply(f, t).ToArray<float>();
        float e1 = MathF.Exp(-1), e3 = MathF.Exp(-3), e4 = MathF.Exp(-4);
        Assert.Equal(new[] { 0f, 0f, e3 + e4, 1f, 2f, e3 + e1, 1f, 3f, e4 + e1 }, y, (a, b) => Math.Abs(a - b) < 1e-6);
        var layer = new MinibatchDiscrimination(7, 3, 4);
        Assert.Equal(new Shape(5, 10), layer.Forward(Tensor.Zeros(new Shape(5, 7))).Shape);
        Assert.Equal([("T", new Shape(7, 3, 4))], layer.StateDict().Select(e => (e.Name, e.Value.Shape)));
    }

    [Fact]
    public void Discrimination_gradient_is_right() =>
        OpCheck.Grad(t => MinibatchDiscrimination.Apply(t[0], t[1]), [OpCheck.S(4, 5), OpCheck.S(5, 3, 2)], atol: 1e-5, rtol: 1e-4);

    [Fact]
    public void Discrimination_matches_the_PyTorch_module()
    {
        var g = GoldenFile.Load("minibatch_discrimination");
        int[] dims = g.Dims("T");
        var layer = new MinibatchDiscrimination(dims[0], dims[1], dims[2]);
        layer.LoadStateDict(new Dictionary<string, Tensor> { ["T"] = g.Tensor("T", CpuBackend.Default) });
        Tensor x = g.Tensor("x", CpuBackend.Default, true);
        Tensor y = layer.Forward(x);
        y.Backward(g.Tensor("dy", CpuBackend.Default));
        Close.Assert("y", g.F32("y"), y);
        Close.Assert("dx", g.F32("dx"), x.Grad!);
        Close.Assert("dT", g.F32("dT"), layer.T.Grad!);
    }
}
