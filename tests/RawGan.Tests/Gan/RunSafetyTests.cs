using System.Runtime.InteropServices;
using RawGan.Backends.Cpu;
using RawGan.Data;
using RawGan.Gan;
using RawGan.IO;
using RawGan.Tests.Data;

namespace RawGan.Tests.Gan;

/// <summary>What keeps a run's work: two checkpoints and a check before resuming, stale temporaries removed, a lock
/// against a second process, and a start that fails before it leaves a folder behind.</summary>
public class RunSafetyTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rawgan-safety-").FullName;
    private static readonly GanConfig Config = new() { Model = ModelKind.Mlp, Nz = 4, BatchSize = 4, Epochs = 2, SampleEvery = 0, CheckpointEvery = 0 };
    private static readonly TinyDataset Data = new(8, 1, 8, 1);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Trained(string name)
    {
        string dir = Path.Combine(_root, name);
        using var run = TrainingRun.Create(Config, Data, CpuBackend.Default, dir);
        Assert.Equal(RunOutcome.Completed, run.Run(TestContext.Current.CancellationToken));
        return dir;
    }

    [Fact]
    public void The_previous_checkpoint_is_kept_and_a_truncated_latest_falls_back_to_it_with_a_notice()
    {
        string dir = Trained("truncated");
        Assert.Equal(4, Checkpoint.ReadInfo(CheckpointSet.Latest(dir)).Step);
        Assert.Equal(2, Checkpoint.ReadInfo(CheckpointSet.Previous(dir)).Step);
        byte[] bytes = File.ReadAllBytes(CheckpointSet.Latest(dir));
        File.WriteAllBytes(CheckpointSet.Latest(dir), bytes[..(bytes.Length / 2)]);

        CheckpointChoice choice = CheckpointSet.Find(dir);
        Assert.Equal(CheckpointSet.Previous(dir), choice.Path);
        Assert.Contains("latest.safetensors is unusable", choice.Notice);
        Assert.Contains("previous.safetensors", choice.Notice);
        Assert.DoesNotContain('\n', choice.Notice!);
        using var run = TrainingRun.Resume(dir, Data, CpuBackend.Default, c => c with { Epochs = 3 });
        Assert.Equal(2, run.Trainer.Step);
    }

    [Fact]
    public void A_latest_checkpoint_with_nan_weights_is_refused_naming_the_tensor()
    {
        string dir = Trained("nan");
        SafeTensorsFile file = SafeTensors.Read(CheckpointSet.Latest(dir));
        var poisoned = file.Tensors.Select(t => t.Name == "G.main.0.weight" ? t with { Data = Nan(t) } : t).ToList();
        SafeTensors.Write(CheckpointSet.Latest(dir), poisoned, file.Metadata);

        CheckpointChoice choice = CheckpointSet.Find(dir);
        Assert.Equal(CheckpointSet.Previous(dir), choice.Path);
        Assert.Contains("G.main.0.weight", choice.Notice);
        Assert.Contains("NaN", choice.Notice);

        File.Copy(CheckpointSet.Latest(dir), CheckpointSet.Previous(dir), overwrite: true);
        var e = Assert.Throws<InvalidDataException>(() => CheckpointSet.Find(dir));
        Assert.Contains("previous.safetensors", e.Message);
    }

    private static byte[] Nan(SafeTensorEntry t)
    {
        byte[] data = (byte[])t.Data.Clone();
        MemoryMarshal.Cast<byte, float>(data.AsSpan())[0] = float.NaN;
        return data;
    }

    [Fact]
    public void Stale_temporaries_of_killed_writes_are_removed_when_the_run_resumes()
    {
        string dir = Trained("stale");
        string stale = CheckpointSet.Latest(dir) + ".tmp-0123456789abcdef";
        string staleGenerator = Path.Combine(dir, "generator.safetensors.tmp-fedcba9876543210");
        string keep = Path.Combine(dir, "checkpoints", "notes.tmp-mine.txt");
        foreach (string path in new[] { stale, staleGenerator, keep }) File.WriteAllText(path, "half a checkpoint");

        using (TrainingRun.Resume(dir, Data, CpuBackend.Default))
        {
            Assert.False(File.Exists(stale));
            Assert.False(File.Exists(staleGenerator));
            Assert.True(File.Exists(keep));
        }
    }

    [Fact]
    public void A_second_process_on_the_same_run_is_refused_with_the_pid_and_a_dead_ones_lock_is_taken_over()
    {
        string dir = Trained("locked");
        string lockPath = Path.Combine(dir, "run.lock");
        using (TrainingRun.Resume(dir, Data, CpuBackend.Default))
        {
            Assert.Equal($"{Environment.ProcessId}", File.ReadAllText(lockPath));
            using var other = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sleep", "30"))!;
            try
            {
                File.WriteAllText(lockPath, $"{other.Id}"); // as if another process held it
                var e = Assert.Throws<IOException>(() => TrainingRun.Resume(dir, Data, CpuBackend.Default));
                Assert.Contains($"process {other.Id}", e.Message);
            }
            finally
            {
                other.Kill();
                other.WaitForExit();
            }
            File.WriteAllText(lockPath, $"{Environment.ProcessId}");
        }
        Assert.False(File.Exists(lockPath));

        File.WriteAllText(lockPath, "2147483646"); // left by a process killed with -9
        using (TrainingRun.Resume(dir, Data, CpuBackend.Default)) Assert.Equal($"{Environment.ProcessId}", File.ReadAllText(lockPath));
    }

    [Theory]
    [InlineData(ModelKind.Cgan, 8, 4, 1, true)]    // one class for a conditional model
    [InlineData(ModelKind.Mlp, 8, 16, 1, true)]    // a batch larger than the data
    [InlineData(ModelKind.Dcgan, 12, 4, 1, true)]  // not a power of two
    [InlineData(ModelKind.Cgan, 9, 4, 3, false)]   // --keep-last with a last batch of one image, before BatchNorm meets it
    public void A_start_that_cannot_train_fails_before_creating_the_run_folder(ModelKind model, int size, int batch, int classes, bool dropLast)
    {
        string dir = Path.Combine(_root, "never");
        var data = new TinyDataset(dropLast ? 8 : 9, 1, dropLast ? size : 8, classes);
        var config = Config with { Model = model, BatchSize = batch, DropLast = dropLast, Ngf = 4, Ndf = 4 };
        var e = Assert.ThrowsAny<ArgumentException>(() => TrainingRun.Create(config, data, CpuBackend.Default, dir));
        if (!dropLast) Assert.Contains("--keep-last", e.Message);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void Strict_an_image_found_corrupt_mid_training_stops_the_run_after_a_checkpoint()
    {
        using var folder = new TempFolder();
        for (int i = 0; i < 7; i++) TestFiles.SolidPng(folder.File($"img{i}.png"), 8, 8, (byte)(30 * i), 0, 0);
        byte[] png = File.ReadAllBytes(Path.Combine(TestFiles.RepositoryRoot(), "tests/RawGan.Tests/Data/fixtures/twemoji/1f600.png"));
        File.WriteAllBytes(folder.File("img9-cut.png"), png[..(png.Length / 2)]);
        var data = new ImageFolderDataset(folder.Path, new ImageFolderOptions { ImageSize = 8, Grayscale = true, Strict = true });
        string dir = Path.Combine(_root, "strict");
        var loader = new DataLoader(data, 4, Config.Seed);
        int badBatch = Array.IndexOf(loader.Order(0), 7) / 4; // the truncated file's batch in epoch 0

        using var run = TrainingRun.Create(Config with { Epochs = 1 }, data, CpuBackend.Default, dir);
        var notices = new List<string>();
        run.Notice += notices.Add;
        var e = Assert.Throws<InvalidDataException>(() => run.Run(TestContext.Current.CancellationToken));
        Assert.Contains("img9-cut.png", e.Message);
        Assert.Equal(badBatch, Checkpoint.ReadInfo(run.LatestCheckpoint).Step);
        Assert.Contains(notices, n => n.Contains("checkpoint written") && n.Contains("--resume"));
    }
}
