using RawGan.Backends.Cpu;
using RawGan.Backends.Cpu.Reference;
using RawGan.Gan;
using RawGan.Gan.Models;
using RawGan.Tensors;

namespace RawGan.Tests.Gan;

/// <summary>Each model takes training steps on tiny data: finite losses, every parameter moves, shapes hold.</summary>
public class TrainerStepTests
{
    [Theory]
    [InlineData(ModelKind.Mlp, DcganVariant.PyTorch, 1, 8, 0)]
    [InlineData(ModelKind.Cgan, DcganVariant.PyTorch, 1, 8, 3)]
    [InlineData(ModelKind.Dcgan, DcganVariant.PyTorch, 1, 16, 0)]
    [InlineData(ModelKind.Dcgan, DcganVariant.TensorFlow, 3, 16, 0)]
    [InlineData(ModelKind.Cdcgan, DcganVariant.PyTorch, 3, 16, 4)]
    [InlineData(ModelKind.Dcgan, DcganVariant.PyTorch, 3, 32, 0)]
    public void A_step_updates_every_parameter(ModelKind model, DcganVariant variant, int channels, int size, int classes)
    {
        var config = new GanConfig { Model = model, Variant = variant, Nz = 8, Ngf = 4, Ndf = 4, BatchSize = 4, Seed = 3 };
        var trainer = new GanTrainer(config, channels, size, Math.Max(classes, 1), CpuBackend.Default);
        Tensor real = Tensor.Rand(new Shape(4, channels, size, size), new Generator(9), low: -1, high: 1);
        Tensor? labels = classes > 0 ? Tensor.FromArray(new[] { 0, 1, 2, 1 }, new Shape(4)) : null;
        double[][] before = trainer.G.Parameters().Concat(trainer.D.Parameters()).Select(p => p.ToDoubleArray()).ToArray();

        StepMetrics m = trainer.TrainStep(real, labels);
        StepMetrics m2 = trainer.TrainStep(real, labels);

        Assert.True(double.IsFinite(m.DLoss) && double.IsFinite(m.GLoss) && double.IsFinite(m2.DLoss), $"{m} {m2}");
        Assert.InRange(m.DReal, 0, 1);
        Assert.InRange(m.DFake, 0, 1);
        Assert.Equal(2, trainer.Step);
        double[][] after = trainer.G.Parameters().Concat(trainer.D.Parameters()).Select(p => p.ToDoubleArray()).ToArray();
        for (int i = 0; i < before.Length; i++)
            Assert.False(before[i].SequenceEqual(after[i]), $"parameter {i} did not change");
        float[] images = trainer.Sample(Tensor.Randn(new Shape(2, 8), new Generator(1)), classes > 0 ? Tensor.FromArray(new[] { 1, 1 }, new Shape(2)) : null);
        Assert.Equal(2 * channels * size * size, images.Length);
        Assert.All(images, v => Assert.InRange(v, -1f, 1f));
    }

    [Fact]
    public void A_trainer_runs_on_the_reference_backend()
    {
        var trainer = new GanTrainer(new GanConfig { Model = ModelKind.Cgan, Nz = 4 }, 1, 4, 3, ReferenceBackend.Instance);
        Tensor real = Tensor.Rand(new Shape(4, 1, 4, 4), new Generator(2), DType.Float32, ReferenceBackend.Instance, -1, 1);
        StepMetrics m = trainer.TrainStep(real, Tensor.FromSpan<int>([0, 1, 2, 0], new Shape(4), DType.Int32, ReferenceBackend.Instance));
        Assert.True(double.IsFinite(m.DLoss) && double.IsFinite(m.GLoss));
    }

    [Fact]
    public void Sampling_with_batch_statistics_leaves_the_running_statistics_alone()
    {
        var trainer = new GanTrainer(new GanConfig { Model = ModelKind.Cgan, Nz = 4 }, 1, 4, 3, CpuBackend.Default);
        double[][] before = trainer.G.NamedBuffers().Select(b => b.Buffer.ToDoubleArray()).ToArray();
        float[] a = trainer.Sample(Tensor.Randn(new Shape(3, 4), new Generator(1)), Tensor.FromArray(new[] { 0, 1, 2 }, new Shape(3)), batchStatistics: true);
        Assert.Equal(before, trainer.G.NamedBuffers().Select(b => b.Buffer.ToDoubleArray()).ToArray());
        Assert.True(trainer.G.Training);
        float[] b = trainer.Sample(Tensor.Randn(new Shape(3, 4), new Generator(1)), Tensor.FromArray(new[] { 0, 1, 2 }, new Shape(3)));
        Assert.NotEqual(a, b); // running statistics (0 and 1 here) differ from the batch's
    }

    [Fact]
    public void Least_squares_loss_trains_too()
    {
        var config = new GanConfig { Model = ModelKind.Mlp, Loss = GanLoss.Mse, Nz = 4, BatchSize = 2 };
        var trainer = new GanTrainer(config, 1, 4, 1, CpuBackend.Default);
        StepMetrics m = trainer.TrainStep(Tensor.Rand(new Shape(2, 1, 4, 4), new Generator(2), low: -1, high: 1), null);
        Assert.True(double.IsFinite(m.DLoss) && double.IsFinite(m.GLoss));
    }

    [Fact]
    public void Conditional_models_require_labels()
    {
        var trainer = new GanTrainer(new GanConfig { Model = ModelKind.Cgan, Nz = 4 }, 1, 4, 10, CpuBackend.Default);
        var e = Assert.Throws<ArgumentException>(() => trainer.TrainStep(Tensor.Zeros(new Shape(2, 1, 4, 4)), null));
        Assert.Contains("conditional", e.Message);
    }

    [Theory]
    [InlineData(ModelKind.Cgan)]
    [InlineData(ModelKind.Cdcgan)]
    public void A_label_outside_the_classes_is_refused_with_its_value(ModelKind model)
    {
        var trainer = new GanTrainer(new GanConfig { Model = model, Nz = 4, Ngf = 4, Ndf = 4 }, 1, 16, 10, CpuBackend.Default);
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() =>
            trainer.Sample(Tensor.Randn(new Shape(2, 4), new Generator(1)), Tensor.FromArray(new[] { 3, 12 }, new Shape(2))));
        Assert.Contains("index 12", e.Message);
    }
}
