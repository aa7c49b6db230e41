using RawGan.Backends.Cpu;
using RawGan.Gan;
using RawGan.Gan.Models;
using RawGan.IO;

namespace RawGan.Tests.Gan;

public class ResumeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rawgan-resume-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData(ModelKind.Cgan, GanLoss.Bce, 0, false)]      // embedding, BatchNorm1d, dropout masks
    [InlineData(ModelKind.Dcgan, GanLoss.Bce, 0, false)]     // convolutions, BatchNorm2d
    [InlineData(ModelKind.Cgan, GanLoss.WganGp, 0, false)]   // interpolation weights drawn from the noise stream
    [InlineData(ModelKind.Mlp, GanLoss.Bce, 10, false)]      // lazy R1 every 2 steps, before and after the stop
    [InlineData(ModelKind.Cgan, GanLoss.Bce, 0, true)]       // every stabiliser on (label smoothing needs bce)
    [InlineData(ModelKind.Dcgan, GanLoss.Hinge, 0, true)]    // every stabiliser on, hinge
    [InlineData(ModelKind.Mlp, GanLoss.Hinge, 10, true)]     // every stabiliser on, hinge with lazy R1 and d-steps
    [InlineData(ModelKind.Cdcgan, GanLoss.Hinge, 0, true)]   // every stabiliser on, the projection discriminator and the auxiliary classifier
    [InlineData(ModelKind.Dcgan, GanLoss.Hinge, 10, true)]   // every stabiliser on, lazy R1 on a D without BatchNorm
    public void A_resumed_run_matches_an_uninterrupted_one_exactly(ModelKind model, GanLoss loss, double r1Gamma, bool stabilised)
    {
        var config = new GanConfig
        {
            Model = model, Nz = 8, Ngf = 4, Ndf = 4, BatchSize = 4, Epochs = 3, Seed = 11,
            SampleEvery = 0, CheckpointEvery = 0, Out = _root,
            Loss = loss, R1Gamma = r1Gamma, R1Every = r1Gamma > 0 ? 2 : null,
        };
        if (stabilised)
            config = config with
            {
                LabelSmoothing = loss == GanLoss.Bce ? 0.1 : 0,
                LrG = 1e-4, LrD = 4e-4, LrDecayEpochs = 2, DSteps = 2, Ema = 0.9, SpectralNorm = true, MinibatchStd = true, DiffAugment = "color,translation,cutout",
                DiffAugmentProbability = 0.5, RandomCrop = 1, RandomRotation = 10,
                Conditioning = model == ModelKind.Cdcgan ? LabelConditioning.Projection : LabelConditioning.Concat,
                AuxClassifier = model == ModelKind.Cdcgan ? 1 : 0,
                MinibatchDiscrimination = r1Gamma > 0 ? "" : "3,2", // refused with gradient penalties
                DNorm = r1Gamma > 0 && model == ModelKind.Dcgan ? DiscriminatorNorm.None : DiscriminatorNorm.Batch,
            };
        var data = new TinyDataset(10, 1, 8, 3);   // 2 batches per epoch: the stop falls mid-epoch

        string straight = Path.Combine(_root, "straight"), resumed = Path.Combine(_root, "resumed");
        using (var run = TrainingRun.Create(config, data, CpuBackend.Default, straight))
            Assert.Equal(RunOutcome.Completed, run.Run(TestContext.Current.CancellationToken));

        using (var run = TrainingRun.Create(config, data, CpuBackend.Default, resumed))
            Assert.Equal(RunOutcome.Interrupted, run.Run(TestContext.Current.CancellationToken, stopAtStep: 3));
        using (var run = TrainingRun.Resume(resumed, data, CpuBackend.Default))
        {
            Assert.Equal(3, run.Trainer.Step);
            Assert.Equal(new DataPosition(1, 1), run.Position);
            Assert.Equal(RunOutcome.Completed, run.Run(TestContext.Current.CancellationToken));
        }

        Assert.Equal(File.ReadAllLines(Path.Combine(straight, "metrics.csv")).Select(Losses), File.ReadAllLines(Path.Combine(resumed, "metrics.csv")).Select(Losses));
        SafeTensorsFile a = SafeTensors.Read(Path.Combine(straight, "checkpoints", "latest.safetensors"));
        SafeTensorsFile b = SafeTensors.Read(Path.Combine(resumed, "checkpoints", "latest.safetensors"));
        Assert.Equal(a.Tensors.Select(t => t.Name), b.Tensors.Select(t => t.Name));
        foreach (var t in a.Tensors) Assert.True(t.Data.SequenceEqual(b.Get(t.Name).Data), $"{t.Name} differs after resume");
    }

    [Fact]
    public void Resume_without_a_checkpoint_names_the_folder()
    {
        var e = Assert.Throws<FileNotFoundException>(() => TrainingRun.Resume(_root, new TinyDataset(4, 1, 8, 2), CpuBackend.Default));
        Assert.Contains(_root, e.Message);
    }

    [Fact]
    public void Resume_on_data_of_another_shape_is_refused()
    {
        var config = new GanConfig { Model = ModelKind.Mlp, Nz = 4, BatchSize = 2, Epochs = 1, SampleEvery = 0 };
        string dir = Path.Combine(_root, "run");
        using (var run = TrainingRun.Create(config, new TinyDataset(4, 1, 8, 1), CpuBackend.Default, dir)) run.Run(TestContext.Current.CancellationToken);
        var e = Assert.Throws<ArgumentException>(() => TrainingRun.Resume(dir, new TinyDataset(4, 3, 8, 1), CpuBackend.Default));
        Assert.Contains("3×8²", e.Message);
    }

    // Rows without the images/s column, which is a timing.
    private static string Losses(string row) => string.Join(',', row.Split(',')[..6]);
}
