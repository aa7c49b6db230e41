using RawGan.Backends;
using RawGan.Gan;
using RawGan.Gan.Models;
using RawGan.Tensors;

namespace RawGan.Tests.Gan;

/// <summary>
/// <c>PrepareInference(Quantization)</c>: the transposed convolutions' weights held as int8 or bf16. Each weight moves
/// by at most half a step: for int8 ε = 1/254 of its channel's largest |w|, for bf16 ε = 2⁻⁹ of itself. Through L
/// such layers with 1-Lipschitz activations an output in [-1, 1] moves by about L·ε at most (first order), so the
/// images must stay within that of the float32 ones, and not equal them (the quantised path ran). An image must not
/// depend on its batch: batch 1 runs the thin quantised kernel, batch 5 the dequantised float32 copy.
/// </summary>
public sealed class QuantizedInferenceTests
{
    [Theory]
    [InlineData(Quantization.Int8, ModelKind.Dcgan, 3, 16, 0)]
    [InlineData(Quantization.Bf16, ModelKind.Dcgan, 3, 16, 0)]
    [InlineData(Quantization.Int8, ModelKind.Cdcgan, 1, 8, 4)]
    [InlineData(Quantization.Bf16, ModelKind.Cdcgan, 1, 8, 4)]
    public void Quantised_images_stay_within_the_quantisation_bound_of_float32(Quantization kind, ModelKind model, int channels, int size, int classes)
    {
        (GanGenerator g, Tensor z, Tensor? labels, int layers) = Make(model, channels, size, classes);
        g.PrepareInference();
        float[] exact = Sampling.Generate(g, z, labels);
        g.PrepareInference(kind);
        float[] quantised = Sampling.Generate(g, z, labels);

        double epsilon = kind == Quantization.Int8 ? 1.0 / 254 : Math.Pow(2, -9);
        double worst = exact.Zip(quantised, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= layers * epsilon, $"{kind}: images differ from float32 by up to {worst:G3}, over the bound {layers * epsilon:G3}");
        Assert.True(worst > 0, $"{kind}: the images equal float32's: the quantised weights were not used");
    }

    [Theory]
    [InlineData(Quantization.Int8)]
    [InlineData(Quantization.Bf16)]
    public void An_image_does_not_depend_on_its_batch(Quantization kind)
    {
        (GanGenerator g, Tensor z, _, _) = Make(ModelKind.Dcgan, 3, 16, 0);
        g.PrepareInference(kind);
        float[] batch = Sampling.Generate(g, z, null);
        float[] alone = Sampling.Generate(g, Tensor.FromArray(z.ToFloatArray()[..z.Shape[1]], new Shape(1, z.Shape[1])), null);
        double worst = alone.Select((v, i) => Math.Abs(v - batch[i])).Max();
        Assert.True(worst <= 1e-5, $"{kind}: the first image alone differs from it in a batch by {worst:G3}");
    }

    [Fact]
    public void A_generator_without_transposed_convolutions_is_refused()
    {
        var config = new GanConfig { Model = ModelKind.Cgan, Nz = 12 };
        GanGenerator g = config.Recipe.CreateGenerator(config, 1, 8, 3);
        var e = Assert.Throws<ArgumentException>(() => g.PrepareInference(Quantization.Int8));
        Assert.StartsWith("--quantize int8: this generator has no transposed convolutions", e.Message);
    }

    private static (GanGenerator, Tensor, Tensor?, int Layers) Make(ModelKind model, int channels, int size, int classes)
    {
        var config = new GanConfig { Model = model, Nz = 12, Ngf = 16 };
        GanGenerator g = config.Recipe.CreateGenerator(config, channels, size, classes);
        var rng = new Generator(5);
        foreach ((string name, Tensor t) in g.StateDict())
        {
            Tensor? value = name.EndsWith("running_mean", StringComparison.Ordinal) ? Tensor.Randn(t.Shape, rng, std: 0.3)
                : name.EndsWith("running_var", StringComparison.Ordinal) ? Tensor.Rand(t.Shape, rng, low: 0.3, high: 2) : null;
            if (value is not null) t.Backend.Copy(value, t);
        }
        int layers = g.StateDict().Count(e => e.Name.EndsWith("weight", StringComparison.Ordinal) && e.Value.Rank == 4);
        Tensor z = Tensor.Randn(new Shape(5, config.Nz), new Generator(6));
        Tensor? labels = classes > 0 ? Tensor.FromArray(new[] { 0, 1, 2, 3, 1 }, new Shape(5)) : null;
        return (g, z, labels, layers);
    }
}
