using RawGan.Backends.Cpu;
using RawGan.Data;
using RawGan.Gan;
using RawGan.IO;

namespace RawGan.Tests.Gan;

/// <summary>What a run does when things go wrong: a diverging loss, a truncated or foreign checkpoint.</summary>
public class RunFailureTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rawgan-fail-").FullName;
    private static readonly GanConfig Config = new() { Model = ModelKind.Mlp, Nz = 4, BatchSize = 4, Epochs = 1, SampleEvery = 0, CheckpointEvery = 0 };

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Images full of NaN: D's output, and so the loss, is NaN on the first step.</summary>
    private sealed class NanDataset : IDataset
    {
        public int Count => 8;
        public int Channels => 1;
        public int Height => 8;
        public int Width => 8;
        public int ClassCount => 1;
        public IReadOnlyList<string> Classes { get; } = ["0"];
        public void Load(int index, Span<float> pixels, ulong augmentSeed, out int label)
        {
            pixels.Fill(float.NaN);
            label = 0;
        }
    }

    [Fact]
    public void A_nan_loss_stops_the_run_without_writing_a_checkpoint()
    {
        string dir = Path.Combine(_root, "nan");
        using var run = TrainingRun.Create(Config, new NanDataset(), CpuBackend.Default, dir);
        var notices = new List<string>();
        run.Notice += notices.Add;
        Assert.Equal(RunOutcome.Diverged, run.Run(TestContext.Current.CancellationToken));
        Assert.Contains(notices, n => n.Contains("NaN") && n.Contains("step 1"));
        Assert.False(File.Exists(run.LatestCheckpoint));
    }

    [Fact]
    public void Rollback_restores_the_last_good_checkpoint_and_gives_up_after_repeated_failures()
    {
        string dir = Path.Combine(_root, "rollback");
        using (var good = TrainingRun.Create(Config, new TinyDataset(8, 1, 8, 1), CpuBackend.Default, dir)) good.Run(TestContext.Current.CancellationToken);
        SafeTensorsFile before = SafeTensors.Read(Path.Combine(dir, "generator.safetensors"));

        // Losses read after every step, so each NaN step is caught before the next.
        using var run = TrainingRun.Resume(dir, new NanDataset(), CpuBackend.Default, c => c with { OnNan = NanPolicy.Rollback, Epochs = 3, LogEvery = 1 });
        var notices = new List<string>();
        run.Notice += notices.Add;
        Assert.Equal(RunOutcome.Diverged, run.Run(TestContext.Current.CancellationToken));
        Assert.Equal(3, notices.Count(n => n.Contains("Rolled back")));
        Assert.Equal(2, Checkpoint.ReadInfo(run.LatestCheckpoint).Step); // the diverged step 3 is never saved
        SafeTensorsFile after = SafeTensors.Read(Path.Combine(dir, "generator.safetensors"));
        foreach (SafeTensorEntry t in before.Tensors) Assert.Equal(t.Data, after.Get(t.Name).Data);
    }

    [Fact]
    public void A_truncated_checkpoint_is_reported_with_its_path()
    {
        string dir = Path.Combine(_root, "truncated");
        using (var run = TrainingRun.Create(Config, new TinyDataset(8, 1, 8, 1), CpuBackend.Default, dir)) run.Run(TestContext.Current.CancellationToken);
        string path = Path.Combine(dir, "checkpoints", "latest.safetensors");
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => TrainingRun.Resume(dir, new TinyDataset(8, 1, 8, 1), CpuBackend.Default));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_safetensors_file_from_elsewhere_is_not_taken_for_a_checkpoint()
    {
        string path = Path.Combine(_root, "foreign.safetensors");
        SafeTensors.Write(path, [SafeTensorEntry.FromValues<float>("weight", [2], [1f, 2f])]);
        var e = Assert.Throws<InvalidDataException>(() => Sampling.LoadGenerator(path, CpuBackend.Default));
        Assert.Contains("not a RawGan", e.Message);
        Assert.Contains(path, e.Message);
    }
}
