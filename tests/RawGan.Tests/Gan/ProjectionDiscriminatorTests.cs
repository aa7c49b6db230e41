using RawGan.Backends.Cpu;
using RawGan.Backends.Cpu.Reference;
using RawGan.Gan;
using RawGan.Gan.Models;
using RawGan.Ops;
using RawGan.Tensors;
using RawGan.Tests.Autograd;

namespace RawGan.Tests.Gan;

/// <summary>The projection discriminator (--conditioning projection): its term, its gradient, and what the cDCGAN's
/// D becomes with it.</summary>
public class ProjectionDiscriminatorTests
{
    [Fact]
    public void The_projection_is_the_label_row_dotted_with_the_spatially_summed_features()
    {
        // features [2, 2, 1, 2]: sample 0 sums to (3, 7), sample 1 to (-1, 0.5); rows of the table for labels 2 and 0.
        Tensor features = Tensor.FromArray(new float[] { 1, 2, 3, 4, -1, 0, 0.5f, 0 }, new Shape(2, 2, 1, 2));
        Tensor table = Tensor.FromArray(new float[] { 1, -1, 0, 0, 2, 0.5f }, new Shape(3, 2));
        Tensor labels = Tensor.FromArray(new[] { 2, 0 }, new Shape(2));
        Assert.Equal([2 * 3 + 0.5 * 7, 1 * -1 + -1 * 0.5], LabelProjection.Apply(features, table, labels).ToDoubleArray());
    }

    [Fact]
    public void The_projection_gradient_is_right_in_the_features_and_the_table()
    {
        Tensor labels = Tensor.FromArray(new[] { 1, 0, 1 }, new Shape(3)).To(ReferenceBackend.Instance);
        OpCheck.Grad(t => LabelProjection.Apply(t[0], t[1], labels), [OpCheck.S(3, 4, 2, 2), OpCheck.S(2, 4)]);
    }

    [Fact]
    public void A_projection_cdcgan_discriminator_sees_the_image_alone_and_the_label_only_through_the_projection()
    {
        var config = new GanConfig { Model = ModelKind.Cdcgan, Ndf = 4, Seed = 5, Conditioning = LabelConditioning.Projection };
        GanDiscriminator d = config.Recipe.CreateDiscriminator(config, channels: 1, size: 16, classes: 3, new Generator(1));
        var weights = d.StateDict().ToDictionary(e => e.Name, e => e.Value.Shape);
        Assert.Equal(new Shape(4, 1, 4, 4), weights["main.0.weight"]);          // no one-hot planes beside the image
        Assert.Equal(new Shape(3, 8), weights["projection.embed.weight"]);       // a row per class, D's last width wide
        Assert.True(d.IsConditional);

        d.Eval();
        Tensor image = Tensor.Rand(new Shape(1, 1, 16, 16), new Generator(2), low: -1, high: 1);
        double[] logits = [.. Enumerable.Range(0, 3).Select(y => d.Logits(image, Tensor.FromArray(new[] { y }, new Shape(1))).Item())];
        Assert.Equal(3, logits.Distinct().Count());
        Assert.Throws<ArgumentException>(() => d.Logits(image, null));
    }
}
