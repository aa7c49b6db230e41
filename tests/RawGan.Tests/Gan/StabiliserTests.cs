using RawGan.Backends.Cpu;
using RawGan.Gan;
using RawGan.IO;
using RawGan.Nn;
using RawGan.Ops;
using RawGan.Tensors;
using RawGan.Tests.Golden;

namespace RawGan.Tests.Gan;

/// <summary>The stabilising options: hinge and smoothed losses, TTUR, D steps, the EMA generator, spectral norm in D,
/// and their one-line errors.</summary>
public class StabiliserTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rawgan-stable-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Hinge_loss_matches_PyTorch()
    {
        var g = GoldenFile.Load("hinge");
        var loss = new GameLoss(GanLoss.Hinge, 0);
        Tensor real = g.Tensor("real", CpuBackend.Default, true), fake = g.Tensor("fake", CpuBackend.Default, true);
        Tensor dReal = loss.Discriminator(real, real: true), dFake = loss.Discriminator(fake, real: false);
        (dReal + dFake).Backward();
        Close.Assert("d_real", g.F32("d_real"), dReal);
        Close.Assert("d_fake", g.F32("d_fake"), dFake);
        Close.Assert("g", g.F32("g"), loss.Generator(fake));
        Close.Assert("dreal", g.F32("dreal"), real.Grad!);
        Close.Assert("dfake", g.F32("dfake"), fake.Grad!);
    }

    [Fact]
    public void One_sided_label_smoothing_moves_only_the_real_target()
    {
        Tensor p = Tensor.FromArray(new[] { 0.9f, 0.2f }, new Shape(2));
        var loss = new GameLoss(GanLoss.Bce, 0.1);
        Tensor target = Tensor.FromArray(new[] { 0.9f, 0.9f }, new Shape(2));
        Assert.Equal(F.BinaryCrossEntropy(p, target).Item(), loss.Discriminator(p, real: true).Item(), 6);
        Assert.Equal(F.BinaryCrossEntropy(p, Tensor.Zeros(new Shape(2))).Item(), loss.Discriminator(p, real: false).Item(), 6);
        Assert.Equal(F.BinaryCrossEntropy(p, Tensor.Ones(new Shape(2))).Item(), loss.Generator(p).Item(), 6);
    }

    [Fact]
    public void Ttur_d_steps_hinge_and_spectral_norm_build_what_they_say()
    {
        var config = new GanConfig { Model = ModelKind.Cgan, Nz = 8, Seed = 3, LrG = 1e-4, LrD = 4e-4, DSteps = 2, Loss = GanLoss.Hinge, SpectralNorm = true, MinibatchStd = true };
        var trainer = new GanTrainer(config, 1, 8, 3, CpuBackend.Default);
        Assert.Equal(1e-4, trainer.OptG.Lr);
        Assert.Equal(4e-4, trainer.OptD.Lr);
        Assert.DoesNotContain(trainer.D.Modules(), m => m is Sigmoid);
        Assert.Contains(trainer.D.Modules(), m => m is MinibatchStdDev);
        Assert.Equal(4, trainer.D.StateDict().Count(e => e.Name.EndsWith(".weight_orig", StringComparison.Ordinal)));

        Tensor real = Tensor.Rand(new Shape(4, 1, 8, 8), new Generator(9), low: -1, high: 1);
        Tensor labels = Tensor.FromArray(new[] { 0, 1, 2, 1 }, new Shape(4));
        double[] g0 = trainer.G.Parameters().First().ToDoubleArray();
        trainer.TrainStep(real, labels);
        Assert.Equal(g0, trainer.G.Parameters().First().ToDoubleArray()); // G waits for the second D step
        trainer.TrainStep(real, labels);
        Assert.NotEqual(g0, trainer.G.Parameters().First().ToDoubleArray());
    }

    [Theory]
    [InlineData(ModelKind.Dcgan)]
    [InlineData(ModelKind.Mlp)]
    [InlineData(ModelKind.Cgan)]
    public void Minibatch_discrimination_sits_before_Ds_last_layer_and_trains(ModelKind model)
    {
        var config = new GanConfig { Model = model, Nz = 8, Ndf = 4, Ngf = 4, Seed = 3, MinibatchStd = true, MinibatchDiscrimination = "5,3", SpectralNorm = true };
        var trainer = new GanTrainer(config, 1, 8, 3, CpuBackend.Default);
        MinibatchDiscrimination layer = Assert.Single(trainer.D.Modules().OfType<MinibatchDiscrimination>());
        Assert.Equal((5, 3), (layer.OutFeatures, layer.KernelDims));
        Assert.Single(trainer.D.StateDict(), e => e.Name.EndsWith(".T", StringComparison.Ordinal) && e.Value.Shape == new Shape(layer.InFeatures, 5, 3));
        var last = (Linear)trainer.D.Modules().Last(m => m is Linear);
        Assert.Equal(layer.InFeatures + 5, last.InFeatures); // the std channel included in the features it compares

        Tensor real = Tensor.Rand(new Shape(4, 1, 8, 8), new Generator(9), low: -1, high: 1);
        Tensor labels = Tensor.FromArray(new[] { 0, 1, 2, 1 }, new Shape(4));
        double[] t0 = layer.T.ToDoubleArray();
        trainer.TrainStep(real, labels);
        Assert.NotEqual(t0, layer.T.ToDoubleArray());
    }

    [Fact]
    public void The_EMA_generator_is_what_samples_and_is_saved()
    {
        var config = new GanConfig { Model = ModelKind.Cgan, Nz = 8, BatchSize = 4, Epochs = 2, Seed = 5, Ema = 0.9, SampleEvery = 0, CheckpointEvery = 0, Out = _root };
        using var run = TrainingRun.Create(config, new TinyDataset(8, 1, 8, 3), CpuBackend.Default, Path.Combine(_root, "run"));
        run.Run(TestContext.Current.CancellationToken);

        SafeTensorsFile checkpoint = SafeTensors.Read(run.LatestCheckpoint);
        SafeTensorsFile generator = SafeTensors.Read(Path.Combine(run.Directory, "generator.safetensors"));
        foreach (SafeTensorEntry e in generator.Tensors)
        {
            Assert.True(e.Data.SequenceEqual(checkpoint.Get(Checkpoint.AverageSection + e.Name).Data), e.Name);
            if (e.Name.EndsWith("weight", StringComparison.Ordinal)) Assert.False(e.Data.SequenceEqual(checkpoint.Get("G." + e.Name).Data), e.Name);
        }
        Tensor z = Tensor.Randn(new Shape(3, 8), new Generator(1));
        Tensor labels = Tensor.FromArray(new[] { 0, 1, 2 }, new Shape(3));
        float[] expected = Sampling.Generate(run.Trainer.Average!.Model, z, labels);
        Assert.Equal(expected, run.Trainer.Sample(z, labels));
        run.Trainer.Average.Model.PrepareInference(); // as loading does: BatchNorm folded, so the same folded numbers
        float[] folded = Sampling.Generate(run.Trainer.Average.Model, z, labels);
        Assert.Equal(folded, Sampling.Generate(Sampling.LoadGenerator(run.LatestCheckpoint, CpuBackend.Default).G, z, labels));
        Assert.Equal(folded, Sampling.Generate(Sampling.LoadGenerator(Path.Combine(run.Directory, "generator.safetensors"), CpuBackend.Default).G, z, labels));
    }

    /// <summary>4 epochs of 3 batches, the last 2 decaying: factor 1 up to the decay's first step, then 5/6 … 1/6.</summary>
    [Fact]
    public void The_learning_rates_fall_linearly_over_the_last_epochs_and_never_to_zero()
    {
        var config = new GanConfig { Epochs = 4, LrDecayEpochs = 2 };
        double[] factors = Enumerable.Range(0, 12).Select(s => LearningRateDecay.Factor(config, s / 3, s % 3, 3)).ToArray();
        Assert.Equal([1, 1, 1, 1, 1, 1, 1, 5 / 6.0, 4 / 6.0, 3 / 6.0, 2 / 6.0, 1 / 6.0], factors, (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Equal(1, LearningRateDecay.Factor(config with { LrDecayEpochs = 0 }, 3, 2, 3));
    }

    [Fact]
    public void A_run_with_decay_trains_its_last_step_at_the_decayed_rates()
    {
        var config = new GanConfig { Model = ModelKind.Cgan, Nz = 8, BatchSize = 4, Epochs = 2, Seed = 5, LrG = 1e-3, LrD = 4e-3, LrDecayEpochs = 1, SampleEvery = 0, CheckpointEvery = 0, Out = _root };
        using var run = TrainingRun.Create(config, new TinyDataset(8, 1, 8, 3), CpuBackend.Default, Path.Combine(_root, "run"));
        run.Run(TestContext.Current.CancellationToken);
        Assert.Equal(1e-3 / 2, run.Trainer.OptG.Lr, 15); // 2 batches an epoch: the last step is the decay's second of 2
        Assert.Equal(4e-3 / 2, run.Trainer.OptD.Lr, 15);
    }

    [Fact]
    public void The_average_follows_the_ramped_decay()
    {
        var a = new RawGan.Gan.Models.MlpGenerator(2, 1, 2, init: new Generator(1));
        var b = new RawGan.Gan.Models.MlpGenerator(2, 1, 2, init: new Generator(2));
        var average = new GeneratorAverage(new RawGan.Gan.Models.MlpGenerator(2, 1, 2), a, 0.99);
        double[] pa = a.Parameters().First().ToDoubleArray(), pb = b.Parameters().First().ToDoubleArray();
        average.Update(b, updates: 0); // decay min(0.99, 1/10)
        double[] got = average.Model.Parameters().First().ToDoubleArray();
        for (int i = 0; i < pa.Length; i++) Assert.Equal(0.1 * pa[i] + 0.9 * pb[i], got[i], 1e-6);
    }

    [Theory]
    [InlineData("{\"loss\": \"hinge\", \"labelSmoothing\": 0.1}", "--label-smoothing")]
    [InlineData("{\"dSteps\": 0}", "--d-steps")]
    [InlineData("{\"ema\": 1}", "--ema")]
    [InlineData("{\"lrD\": -1}", "--lr-d")]
    [InlineData("{\"lrDecayEpochs\": -1}", "--lr-decay-epochs")]
    [InlineData("{\"epochs\": 3, \"lrDecayEpochs\": 4}", "--lr-decay-epochs")]
    [InlineData("{\"diffAugment\": \"colour\"}", "--diff-augment")]
    [InlineData("{\"randomRotation\": 200}", "--random-rotation")]
    [InlineData("{\"model\": \"cgan\", \"conditioning\": \"projection\"}", "--conditioning projection")]
    [InlineData("{\"auxClassifier\": 1}", "--aux-classifier")]
    [InlineData("{\"model\": \"cdcgan\", \"auxClassifier\": -1}", "--aux-classifier")]
    [InlineData("{\"minibatchDiscrimination\": \"8\"}", "--minibatch-discrimination")]
    [InlineData("{\"minibatchDiscrimination\": \"8,0\"}", "--minibatch-discrimination")]
    [InlineData("{\"minibatchDiscrimination\": \"a,b\"}", "--minibatch-discrimination")]
    [InlineData("{\"model\": \"mlp\", \"r1Gamma\": 10, \"minibatchDiscrimination\": \"8,4\"}", "--r1-gamma")]
    [InlineData("{\"model\": \"cgan\", \"loss\": \"wgan-gp\", \"minibatchDiscrimination\": \"8,4\"}", "--minibatch-discrimination")]
    public void Bad_combinations_are_one_line_errors_naming_the_options(string json, string option)
    {
        var e = Assert.Throws<ArgumentException>(() => GanConfig.FromJson(json, "test.json").Validate());
        Assert.Contains(option, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
