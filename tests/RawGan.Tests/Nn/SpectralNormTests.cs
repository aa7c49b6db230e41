using RawGan.Backends.Cpu;
using RawGan.Eval;
using RawGan.Nn;
using RawGan.Ops;
using RawGan.Tensors;
using RawGan.Tests.Autograd;
using RawGan.Tests.Golden;

namespace RawGan.Tests.Nn;

/// <summary>Spectral norm against torch.nn.utils.spectral_norm (tools/golden/make_stable_golden.py), SVD and finite
/// differences.</summary>
public class SpectralNormTests
{
    public static TheoryData<string> Cases => new() { "spectral_norm_linear", "spectral_norm_convt" };

    private static Module Layer(string golden) => golden == "spectral_norm_linear"
        ? new Linear(7, 5)
        : new ConvTranspose2d(3, 4, 4, 2, Padding2d.Symmetric(1, 1), bias: false);

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_PyTorch_state_dict_loads_trains_one_step_as_PyTorch_and_goes_back_under_the_same_names(string file)
    {
        var g = GoldenFile.Load(file);
        Module layer = SpectralNorm.Apply(Layer(file), new Generator(3));
        string[] names = g.Names.TakeWhile(n => n != "x").ToArray();
        Assert.Equal(names.Order(), layer.StateDict().Select(e => e.Name).Order());
        layer.LoadStateDict(names.ToDictionary(n => n, n => Tensor.FromArray(g.F32(n), g.Dims(n))));

        Tensor x = g.Tensor("x", CpuBackend.Default, true);
        Tensor y = layer.Forward(x);
        y.Backward(g.Tensor("dy", CpuBackend.Default));
        Close.Assert("y", g.F32("y"), y);
        Close.Assert("dx", g.F32("dx"), x.Grad!);
        Close.Assert("dweight_orig", g.F32("dweight_orig"), layer.StateDict().Single(e => e.Name == "weight_orig").Value.Grad!);
        var state = layer.StateDict().ToDictionary(e => e.Name, e => e.Value);
        Close.Assert("u1", g.F32("u1"), state["weight_u"]);
        Close.Assert("v1", g.F32("v1"), state["weight_v"]);

        layer.Eval();
        Close.Assert("y_eval", g.F32("y_eval"), layer.Forward(x));
        Close.Assert("u1 (eval does not iterate)", g.F32("u1"), state["weight_u"]);
    }

    [Theory]
    [InlineData(6, 9, 0)]
    [InlineData(9, 4, 1)]
    public void Power_iteration_converges_to_the_largest_singular_value(int rows, int cols, ulong seed)
    {
        var layer = new Linear(cols, rows, generator: new Generator(seed));
        float[] w = layer.Weight.ToArray<float>();
        SpectralNorm.Apply(layer, new Generator(seed + 10));
        Tensor normalised = null!;
        for (int i = 0; i < 300; i++) normalised = layer.Weight;

        // σ² is the largest eigenvalue of WᵀW.
        var wtw = new double[cols, cols];
        for (int i = 0; i < cols; i++)
        for (int j = 0; j < cols; j++)
        for (int r = 0; r < rows; r++) wtw[i, j] += (double)w[r * cols + i] * w[r * cols + j];
        double sigma = Math.Sqrt(SymmetricEigen.Decompose(wtw).Values.Max());
        float[] n = normalised.ToArray<float>();
        for (int k = 0; k < w.Length; k++) Assert.Equal(w[k] / sigma, n[k], 1e-5);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void The_gradient_through_sigma_is_right(int dim)
    {
        Tensor u = OpCheck.Input([4], requiresGrad: false), v = OpCheck.Input([dim == 0 ? 3 * 2 * 2 : 5 * 2 * 2], requiresGrad: false);
        int[] shape = dim == 0 ? [4, 3, 2, 2] : [5, 4, 2, 2];
        OpCheck.Grad(t => SpectralNorm.Divide(t[0], u, v, dim), [OpCheck.Input(shape, 0.5, 1.5)]);
    }

    [Fact]
    public void Other_layers_are_refused_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => SpectralNorm.Apply(new BatchNorm1d(3), new Generator(1)));
        Assert.Contains("BatchNorm1d", e.Message);
    }
}
