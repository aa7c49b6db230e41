using System.Diagnostics;
using RawGan.Backends;
using RawGan.Data;
using RawGan.IO;
using RawGan.Tensors;

namespace RawGan.Gan;

public enum RunOutcome { Completed, Interrupted, Diverged }

/// <summary>After each step: where the run is, what the step measured, and its throughput.</summary>
public sealed record StepReport(long Step, int Epoch, int Batch, int BatchesPerEpoch, StepMetrics Metrics, double ImagesPerSecond);

/// <summary>
/// A training run and its folder: config.json, metrics.csv, samples/ (a grid from fixed noise every N steps and
/// after each epoch; one row per class for conditional models) and checkpoints/latest.safetensors plus
/// generator.safetensors. Created fresh or resumed from the folder; a resumed run continues exactly where the
/// checkpoint stood (same batches, noise, dropout masks, optimiser state).
/// </summary>
public sealed class TrainingRun : IDisposable
{
    private const int SampleColumns = 8;
    private readonly MetricsLog _metrics;
    private readonly Tensor _sampleZ;
    private readonly Tensor? _sampleLabels;

    private TrainingRun(string directory, GanTrainer trainer, DataLoader loader, DataPosition position, bool resumed)
    {
        Directory = directory;
        Trainer = trainer;
        Loader = loader;
        Position = position;
        System.IO.Directory.CreateDirectory(SamplesDirectory);
        System.IO.Directory.CreateDirectory(CheckpointsDirectory);
        _metrics = new MetricsLog(System.IO.Path.Combine(directory, "metrics.csv"), resumed ? trainer.Step : -1);

        // The fixed noise of the sample grids has its own stream, so grids from different steps are comparable.
        int rows = trainer.IsConditional ? Math.Min(trainer.Classes, 16) : SampleColumns;
        var sampleRng = new Generator(trainer.Config.Seed + 4);
        _sampleZ = Tensor.Randn(new Shape(rows * SampleColumns, trainer.Config.Nz), sampleRng, DType.Float32, trainer.Backend);
        if (trainer.IsConditional)
            _sampleLabels = Tensor.FromSpan<int>(Enumerable.Range(0, rows * SampleColumns).Select(i => i / SampleColumns).ToArray(),
                new Shape(rows * SampleColumns), DType.Int32, trainer.Backend);
    }

    public string Directory { get; }
    public string SamplesDirectory => System.IO.Path.Combine(Directory, "samples");
    public string CheckpointsDirectory => System.IO.Path.Combine(Directory, "checkpoints");
    public string LatestCheckpoint => System.IO.Path.Combine(CheckpointsDirectory, "latest.safetensors");
    public string MetricsPath => _metrics.Path;
    public GanTrainer Trainer { get; }
    public DataLoader Loader { get; }

    /// <summary>The next batch to train on.</summary>
    public DataPosition Position { get; private set; }

    public event Action<StepReport>? StepCompleted;
    public event Action<string>? SampleWritten;
    public event Action<string>? Notice;

    /// <summary>Starts a new run in a new folder under config.Out (or <paramref name="directory"/>).</summary>
    public static TrainingRun Create(GanConfig config, IDataset data, IBackend backend, string? directory = null)
    {
        config.Validate();
        directory ??= NewRunDirectory(config);
        System.IO.Directory.CreateDirectory(directory);
        AtomicFile.Write(System.IO.Path.Combine(directory, "config.json"), s => s.Write(System.Text.Encoding.UTF8.GetBytes(config.ToJson() + "\n")));
        var trainer = new GanTrainer(config, data.Channels, data.Height, data.ClassCount, backend);
        return new TrainingRun(directory, trainer, NewLoader(config, data), new DataPosition(0, 0), resumed: false);
    }

    /// <summary>Continues the run in <paramref name="directory"/> from its latest checkpoint.</summary>
    public static TrainingRun Resume(string directory, IDataset data, IBackend backend, Func<GanConfig, GanConfig>? adjust = null)
    {
        string path = System.IO.Path.Combine(directory, "checkpoints", "latest.safetensors");
        if (!File.Exists(path))
            throw new FileNotFoundException($"Cannot resume {directory}: it has no checkpoints/latest.safetensors (was it a run folder, and did it reach its first checkpoint?).", path);
        Checkpoint.Info info = Checkpoint.ReadInfo(path);
        GanConfig config = adjust?.Invoke(info.Config) ?? info.Config;
        if (data.Channels != info.Channels || data.Height != info.ImageSize || data.ClassCount != info.Classes)
            throw new ArgumentException($"Cannot resume {directory}: it was trained on {info.Channels}×{info.ImageSize}² images with {info.Classes} classes, " +
                                        $"but the data is {data.Channels}×{data.Height}² with {data.ClassCount} classes.");
        var trainer = new GanTrainer(config, info.Channels, info.ImageSize, info.Classes, backend);
        DataPosition position = Checkpoint.Load(path, trainer);
        return new TrainingRun(directory, trainer, NewLoader(config, data), position, resumed: true);
    }

    /// <summary>Trains until the configured epochs are done, <paramref name="cancellation"/> fires, or
    /// <paramref name="stopAtStep"/> is reached; an interrupted run writes a checkpoint before returning.</summary>
    public RunOutcome Run(CancellationToken cancellation = default, long? stopAtStep = null)
    {
        GanConfig config = Trainer.Config;
        int rollbacks = 0;
        var clock = new Stopwatch();
        try
        {
            for (int epoch = Position.Epoch; epoch < config.Epochs; epoch++)
            {
                foreach (Batch batch in Loader.Epoch(epoch, epoch == Position.Epoch ? Position.Batch : 0, cancellation))
                {
                    if (cancellation.IsCancellationRequested || Trainer.Step >= stopAtStep) return Interrupt();
                    clock.Restart();
                    StepMetrics m;
                    try
                    {
                        m = TrainOn(batch);
                        rollbacks = 0;
                    }
                    catch (DivergenceException e) when (config.OnNan == "rollback" && rollbacks < 3 && File.Exists(LatestCheckpoint))
                    {
                        rollbacks++;
                        RollBack(e.Message);
                        Loader.Recycle(batch);
                        Position = new DataPosition(epoch, batch.Index + 1);
                        continue;
                    }
                    Position = new DataPosition(epoch, batch.Index + 1);
                    double imagesPerSecond = batch.Count / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
                    _metrics.Append(Trainer.Step, epoch, m, imagesPerSecond);
                    Loader.Recycle(batch);
                    StepCompleted?.Invoke(new StepReport(Trainer.Step, epoch, batch.Index, Loader.BatchesPerEpoch, m, imagesPerSecond));
                    if (config.SampleEvery > 0 && Trainer.Step % config.SampleEvery == 0) WriteSamples($"step-{Trainer.Step:D6}");
                    if (config.CheckpointEvery > 0 && Trainer.Step % config.CheckpointEvery == 0) SaveCheckpoint();
                }
                Position = new DataPosition(epoch + 1, 0);
                WriteSamples($"epoch-{epoch + 1:D3}");
                SaveCheckpoint();
            }
            return RunOutcome.Completed;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return Interrupt();
        }
        catch (DivergenceException e)
        {
            Notice?.Invoke($"{e.Message} Stopped; the last good checkpoint is {LatestCheckpoint}.");
            return RunOutcome.Diverged;
        }
    }

    /// <summary>Writes a sample grid from the fixed noise to samples/NAME.png and returns its path.</summary>
    public string WriteSamples(string name)
    {
        float[] images = Trainer.Sample(_sampleZ, _sampleLabels);
        string path = System.IO.Path.Combine(SamplesDirectory, name + ".png");
        ImageGrid.Save(path, images, _sampleZ.Shape[0], Trainer.Channels, Trainer.Size, Trainer.Size, SampleColumns);
        SampleWritten?.Invoke(path);
        return path;
    }

    public void SaveCheckpoint()
    {
        Checkpoint.Save(LatestCheckpoint, Trainer, Position);
        Checkpoint.SaveGenerator(System.IO.Path.Combine(Directory, "generator.safetensors"), Trainer);
    }

    public void Dispose() => _metrics.Dispose();

    private StepMetrics TrainOn(Batch batch)
    {
        using var scope = new TensorScope(); // the batch's tensors are a step's intermediates too
        var shape = new Shape(batch.Count, Trainer.Channels, Trainer.Size, Trainer.Size);
        Tensor real = Tensor.FromSpan<float>(batch.Images.AsSpan(0, (int)shape.Numel), shape, DType.Float32, Trainer.Backend);
        Tensor? labels = Trainer.IsConditional ? Tensor.FromSpan<int>(batch.Labels, new Shape(batch.Count), DType.Int32, Trainer.Backend) : null;
        return Trainer.TrainStep(real, labels);
    }

    private RunOutcome Interrupt()
    {
        SaveCheckpoint();
        Notice?.Invoke($"Stopped at step {Trainer.Step}; checkpoint written. Resume with: rawgan train --resume {Directory}");
        return RunOutcome.Interrupted;
    }

    // The weights and moments return to the last checkpoint; the data and noise go on, so the same batch is not
    // replayed into the same NaN.
    private void RollBack(string why)
    {
        ulong noise = Trainer.NoiseRng.Offset, dropout = Trainer.DropoutRng.Offset;
        long step = Trainer.Step;
        Checkpoint.Load(LatestCheckpoint, Trainer);
        _metrics.RewindTo(Trainer.Step);
        Trainer.NoiseRng.Restore(noise);
        Trainer.DropoutRng.Restore(dropout);
        Notice?.Invoke($"{why} Rolled back to the checkpoint at step {Trainer.Step} (was at {step}) and skipped the batch.");
    }

    private static DataLoader NewLoader(GanConfig config, IDataset data) =>
        new(data, config.BatchSize, config.Seed, shuffle: true, dropLast: config.DropLast);

    private static string NewRunDirectory(GanConfig config)
    {
        string stem = System.IO.Path.Combine(config.Out, $"{config.Model}-{DateTime.Now:yyyyMMdd-HHmmss}");
        string dir = stem;
        for (int i = 2; System.IO.Directory.Exists(dir); i++) dir = $"{stem}-{i}";
        return dir;
    }
}
