using RawGan.Backends.Cpu;
using RawGan.Gan;
using RawGan.Optim;
using RawGan.Tensors;

namespace RawGan.Tests.Gan;

/// <summary>A checkpoint on its own, without a training run around it: what Save writes is what Load restores, field
/// by field, so a field that is dropped or swapped is named here rather than only as a drift in a resumed run.</summary>
public class CheckpointTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rawgan-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Load_restores_the_data_position_step_rng_offsets_and_adams_step_counts()
    {
        // Cgan: its discriminator draws dropout masks, so the dropout generator moves with every step.
        var config = new GanConfig { Model = ModelKind.Cgan, Nz = 8, Ngf = 4, Ndf = 4, BatchSize = 4, Seed = 3 };
        var saved = new GanTrainer(config, 1, 8, 3, CpuBackend.Default);
        for (int i = 0; i < 3; i++) Step(saved);
        string path = Path.Combine(_root, "c.safetensors");
        var position = new DataPosition(Epoch: 2, Batch: 5); // epoch and batch distinct, so a swap shows
        Checkpoint.Save(path, saved, position);

        Checkpoint.Info info = Checkpoint.ReadInfo(path);
        Assert.Equal(position, info.Position);
        Assert.Equal(3, info.Step);
        Assert.Equal(saved.NoiseRng.Offset, info.NoiseOffset);
        Assert.Equal(saved.DropoutRng.Offset, info.DropoutOffset);
        Assert.NotEqual(0UL, info.DropoutOffset);
        Assert.NotEqual(info.NoiseOffset, info.DropoutOffset);

        var loaded = new GanTrainer(config, 1, 8, 3, CpuBackend.Default);
        Assert.Equal(position, Checkpoint.Load(path, loaded));
        Assert.Equal(3, loaded.Step);
        Assert.Equal(saved.DropoutRng.Offset, loaded.DropoutRng.Offset);
        Assert.Equal(saved.NoiseRng.Offset, loaded.NoiseRng.Offset);
        Assert.All(StepCounts(loaded.OptG), s => Assert.Equal(3, s));
        Assert.All(StepCounts(loaded.OptD), s => Assert.Equal(3, s));

        // The next step draws the same noise and dropout masks and applies the same bias correction on both sides.
        Step(saved);
        Step(loaded);
        Assert.Equal(Weights(saved), Weights(loaded));
    }

    private static IEnumerable<double> StepCounts(Adam adam) =>
        adam.StateDict().Where(e => e.Name.EndsWith(".step", StringComparison.Ordinal)).Select(e => e.Value.Item());

    private static float[] Weights(GanTrainer t) =>
        t.G.Parameters().Concat(t.D.Parameters()).SelectMany(p => p.ToFloatArray()).ToArray();

    private static void Step(GanTrainer t)
    {
        float[] images = Tensor.Rand(new Shape(4, 1, 8, 8), new Generator(9), low: -1, high: 1).ToFloatArray();
        t.TrainStep(Tensor.FromSpan<float>(images, new Shape(4, 1, 8, 8), DType.Float32, t.Backend),
                    Tensor.FromSpan<int>([0, 1, 2, 1], new Shape(4), DType.Int32, t.Backend));
    }
}
