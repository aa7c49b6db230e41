using RawGan.Backends.Cpu;
using RawGan.Data;
using RawGan.Gan;
using RawGan.Tensors;
using RawGan.Tests.Autograd;

namespace RawGan.Tests.Gan;

/// <summary>DiffAugment is differentiable and the identity at probability 0; the loader's crop and rotation are
/// seeded by the sample alone.</summary>
public class DiffAugmentTests
{
    private const string All = "color,translation,cutout";

    [Fact]
    public void Its_gradient_passes_through_every_policy()
    {
        // A fresh generator per call: finite differences then see the same draws as the recorded pass.
        OpCheck.Grad(t => new DiffAugment(All, 1, new Generator(7)).Apply(t[0]), [OpCheck.Input([3, 2, 8, 8])]);
    }

    [Fact]
    public void At_probability_0_it_is_the_identity_and_so_is_its_gradient()
    {
        Tensor x = Tensor.Randn(new Shape(4, 3, 8, 8), new Generator(2));
        x.RequiresGrad = true;
        Tensor y = new DiffAugment(All, 0, new Generator(3)).Apply(x);
        Assert.Equal(x.ToArray<float>(), y.ToArray<float>());
        Tensor dy = Tensor.Randn(x.Shape, new Generator(4));
        y.Backward(dy);
        Assert.Equal(dy.ToArray<float>(), x.Grad!.ToArray<float>());
    }

    [Fact]
    public void At_probability_1_every_policy_changes_the_images()
    {
        Tensor x = Tensor.Randn(new Shape(4, 3, 8, 8), new Generator(2));
        foreach (string policy in DiffAugment.Policies)
            Assert.NotEqual(x.ToArray<float>(), new DiffAugment(policy, 1, new Generator(3)).Apply(x).ToArray<float>());
    }

    [Fact]
    public void An_unknown_policy_is_an_error_naming_the_option_and_the_policies()
    {
        var e = Assert.Throws<ArgumentException>(() => DiffAugment.Parse("color,colour"));
        Assert.Contains("--diff-augment", e.Message);
        Assert.Contains("translation", e.Message);
    }

    [Fact]
    public void Loader_crop_and_rotation_depend_only_on_the_sample_seed()
    {
        var data = new TinyDataset(4, 1, 8, 2);
        Assert.Same(data, AugmentedDataset.Wrap(data, 0, 0));
        IDataset augmented = AugmentedDataset.Wrap(data, 2, 15);
        float[] Load(IDataset d, ulong seed) { var p = new float[64]; d.Load(1, p, seed, out _); return p; }
        Assert.Equal(Load(augmented, 5), Load(augmented, 5));
        Assert.NotEqual(Load(augmented, 5), Load(augmented, 6));
        Assert.NotEqual(Load(data, 5), Load(augmented, 5));
        Assert.All(Load(augmented, 5), v => Assert.InRange(v, -1f, 1f));
    }
}
