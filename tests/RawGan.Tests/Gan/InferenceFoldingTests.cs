using RawGan.Gan;
using RawGan.Gan.Models;
using RawGan.Nn;
using RawGan.Tensors;

namespace RawGan.Tests.Gan;

/// <summary>
/// <see cref="GanGenerator.PrepareInference"/> (BatchNorm folded into the preceding layer, the activation fused)
/// gives the eager eval-mode images of every generator, with running statistics away from 0 and 1 as after
/// training. Tolerance 1e-5 on images in [-1, 1]: folding reorders one multiply per weight (s·W·x against
/// s·(W·x)), a few float32 roundings per output; a dropped shift or a scale on the wrong channel is 1e-2 or more.
/// </summary>
public sealed class InferenceFoldingTests
{
    [Theory]
    [InlineData(ModelKind.Dcgan, DcganVariant.PyTorch, 3, 16, 0)]
    [InlineData(ModelKind.Dcgan, DcganVariant.TensorFlow, 1, 16, 0)]
    [InlineData(ModelKind.Cdcgan, DcganVariant.PyTorch, 1, 8, 4)]
    [InlineData(ModelKind.Mlp, DcganVariant.PyTorch, 1, 8, 0)]
    [InlineData(ModelKind.Cgan, DcganVariant.PyTorch, 1, 8, 3)]
    public void Folded_generator_gives_the_eager_images(ModelKind model, DcganVariant variant, int channels, int size, int classes)
    {
        (GanGenerator g, Tensor z, Tensor? labels) = Make(model, variant, channels, size, classes);
        float[] eager = Sampling.Generate(g, z, labels);
        g.PrepareInference();
        float[] folded = Sampling.Generate(g, z, labels);
        Assert.Equal(eager.Length, folded.Length);
        double worst = eager.Zip(folded, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= 1e-5, $"{model} {variant}: folded images differ from eager ones by up to {worst:G3}");
        Assert.True(eager.Distinct().Count() > 1, "the generator's output is constant: the comparison would prove nothing");
    }

    [Fact]
    public void Loading_weights_or_asking_for_batch_statistics_leaves_the_folded_stack()
    {
        (GanGenerator g, Tensor z, _) = Make(ModelKind.Dcgan, DcganVariant.PyTorch, 1, 8, 0);
        g.PrepareInference();
        float[] before = Sampling.Generate(g, z, null);
        // Batch statistics cannot be folded: they are the batch's own.
        Assert.NotEqual(before, Sampling.Generate(g, z, null, batchStatistics: true));
        (GanGenerator other, _, _) = Make(ModelKind.Dcgan, DcganVariant.PyTorch, 1, 8, 0, seed: 9);
        g.LoadStateDict(other.StateDict().ToDictionary(e => e.Name, e => e.Value));
        Assert.Equal(Sampling.Generate(other, z, null), Sampling.Generate(g, z, null));
    }

    private static (GanGenerator, Tensor, Tensor?) Make(ModelKind model, DcganVariant variant, int channels, int size, int classes, ulong seed = 5)
    {
        var config = new GanConfig { Model = model, Variant = variant, Nz = 12, Ngf = 8 };
        GanGenerator g = config.Recipe.CreateGenerator(config, channels, size, classes);
        var rng = new Generator(seed);
        foreach ((string name, Tensor t) in g.StateDict())
        {
            Tensor? value = name.EndsWith("running_mean", StringComparison.Ordinal) ? Tensor.Randn(t.Shape, rng, std: 0.3)
                : name.EndsWith("running_var", StringComparison.Ordinal) ? Tensor.Rand(t.Shape, rng, low: 0.3, high: 2)
                : name.EndsWith("weight", StringComparison.Ordinal) ? Tensor.Randn(t.Shape, rng, std: 0.3)
                : name.EndsWith("bias", StringComparison.Ordinal) ? Tensor.Randn(t.Shape, rng, std: 0.2) : null;
            if (value is not null) t.Backend.Copy(value, t);
        }
        Tensor z = Tensor.Randn(new Shape(5, config.Nz), new Generator(seed + 1));
        Tensor? labels = classes > 0 ? Tensor.FromArray(Enumerable.Range(0, 5).Select(i => i % classes).ToArray(), new Shape(5)) : null;
        return (g, z, labels);
    }
}
