using RawGan.Backends.Cpu;
using RawGan.Gan;
using RawGan.Gan.Models;
using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Tests.Gan;

/// <summary>The auxiliary classifier (--aux-classifier, AC-GAN): the cDCGAN discriminator's class head, and the
/// weighted cross-entropy it adds to D's loss on real images and to G's loss.</summary>
public class AuxiliaryClassifierTests
{
    private static GanConfig Config(double weight) =>
        new() { Model = ModelKind.Cdcgan, Nz = 8, Ngf = 4, Ndf = 4, Seed = 7, AuxClassifier = weight, LrD = 1e-12 };

    [Fact]
    public void The_class_head_reads_the_features_the_score_reads()
    {
        GanConfig config = Config(1);
        GanDiscriminator d = config.Recipe.CreateDiscriminator(config, channels: 1, size: 16, classes: 3, new Generator(1));
        Assert.True(d.HasClassifier);
        Assert.Equal(new Shape(3, 8 * 16), d.StateDict().Single(e => e.Name == "classifier.weight").Value.Shape); // 2·ndf channels of 4×4

        d.Eval();
        Tensor images = Tensor.Rand(new Shape(2, 1, 16, 16), new Generator(2), low: -1, high: 1);
        Tensor labels = Tensor.FromArray(new[] { 2, 0 }, new Shape(2));
        (Tensor logits, Tensor classes) = d.LogitsAndClasses(images, labels);
        Assert.Equal(new Shape(2, 3), classes.Shape);
        Assert.Equal(d.Logits(images, labels).ToDoubleArray(), logits.ToDoubleArray());

        GanConfig plain = config with { AuxClassifier = 0 };
        GanDiscriminator without = plain.Recipe.CreateDiscriminator(plain, channels: 1, size: 16, classes: 3, new Generator(1));
        Assert.False(without.HasClassifier);
        Assert.Throws<InvalidOperationException>(() => without.LogitsAndClasses(images, labels));
    }

    /// <summary>Two trainers that differ only in the weight (so their networks start equal) take one step on the same
    /// batch; D's learning rate is too small to move a float32 weight, so G's loss is taken through the starting D.
    /// Their losses then differ by exactly the weights' difference times the cross-entropies a third, untouched twin
    /// computes: D's on the real images against their labels, G's on its images against the labels asked for.</summary>
    [Fact]
    public void The_weighted_cross_entropy_is_added_to_Ds_loss_on_real_images_and_to_Gs_loss()
    {
        Tensor real = Tensor.Rand(new Shape(4, 1, 16, 16), new Generator(3), low: -1, high: 1);
        Tensor labels = Tensor.FromArray(new[] { 0, 1, 2, 1 }, new Shape(4));
        Tensor z = Tensor.Randn(new Shape(4, 8), new Generator(4));
        Tensor asked = Tensor.FromArray(new[] { 2, 2, 0, 1 }, new Shape(4));
        StepMetrics full = new GanTrainer(Config(1), 1, 16, 3, CpuBackend.Default).TrainStep(real, labels, z, asked);
        StepMetrics half = new GanTrainer(Config(0.5), 1, 16, 3, CpuBackend.Default).TrainStep(real, labels, z, asked);

        var twin = new GanTrainer(Config(1), 1, 16, 3, CpuBackend.Default);
        double CrossEntropy(Tensor images, Tensor y) =>
            F.CrossEntropy(twin.D.LogitsAndClasses(images, y).ClassLogits, new OneHot(3).Forward(y)).Item();
        double onReal = CrossEntropy(real, labels), onFake = CrossEntropy(twin.G.Generate(z, asked), asked);
        Assert.True(onReal > 0.5 && onFake > 0.5, $"{onReal}, {onFake}"); // an untrained head: near log 3
        Assert.Equal(0.5 * onReal, full.DLoss - half.DLoss, 1e-5);
        Assert.Equal(0.5 * onFake, full.GLoss - half.GLoss, 1e-5);
    }
}
