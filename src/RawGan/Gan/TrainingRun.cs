using System.Diagnostics;
using RawGan.Backends;
using RawGan.Data;
using RawGan.IO;
using RawGan.Tensors;

namespace RawGan.Gan;

public enum RunOutcome { Completed, Interrupted, Diverged }

/// <summary>After each step: where the run is, and the metrics and throughput of the last steps read back from the
/// device (<see cref="GanConfig.LogEvery"/>; null before the first read).</summary>
public sealed record StepReport(long Step, int Epoch, int Batch, int BatchesPerEpoch, StepMetrics? Metrics, double ImagesPerSecond);

/// <summary>After an evaluation (<see cref="TrainingRun.EvaluateWith"/>): the step, the digit judge's scores (null where
/// it does not judge), FID (null without Inception-v3), and whether they are the best so far (then
/// checkpoints/best.safetensors holds this step's state).</summary>
public sealed record EvalReport(long Step, Eval.DigitScores? Scores, double? Fid, bool IsBest)
{
    /// <summary>What picks the best checkpoint: FID where it is computed, else the judge's Fréchet distance.</summary>
    public double Criterion => Fid ?? Scores!.FrechetDistance;
}

/// <summary>
/// A training run and its folder: config.json, metrics.csv, samples/ (a grid from fixed noise every N steps and
/// after each epoch; one row per class for conditional models) and checkpoints/latest.safetensors plus
/// generator.safetensors (the checkpoint before latest is kept as previous.safetensors, see <see cref="CheckpointSet"/>);
/// with <see cref="EvaluateWith"/>, eval.csv and checkpoints/best.safetensors.
/// While a run is open its folder holds run.lock (<see cref="RunLock"/>), so no second process works in it. Created fresh or resumed from the folder; a resumed run continues exactly where the
/// checkpoint stood (same batches, noise, dropout masks, optimiser state).
/// </summary>
public sealed class TrainingRun : IDisposable
{
    private const int SampleColumns = 8;
    private readonly MetricsLog _metrics;
    private readonly MetricsWindow _window;
    private readonly Stopwatch _windowClock = new(); // runs while steps are queued and while the window is read
    private long _windowImages;
    private StepMetrics? _lastMetrics;
    private double _lastImagesPerSecond;
    private readonly Tensor _sampleZ;
    private readonly Tensor? _sampleLabels;
    private readonly RunLock _lock;
    private readonly long _resumedAt;
    private RunJudge? _judge;
    private RunInception? _inception;
    private int _evalEvery;
    private EvalLog? _evalLog;
    private long _lastEvaluated = -1;
    private double _best = double.PositiveInfinity;

    private TrainingRun(string directory, RunLock runLock, GanTrainer trainer, DataLoader loader, DataPosition position, bool resumed)
    {
        _lock = runLock;
        Directory = directory;
        Trainer = trainer;
        Loader = loader;
        Position = position;
        System.IO.Directory.CreateDirectory(SamplesDirectory);
        System.IO.Directory.CreateDirectory(CheckpointsDirectory);
        _resumedAt = resumed ? trainer.Step : -1;
        _metrics = new MetricsLog(System.IO.Path.Combine(directory, "metrics.csv"), _resumedAt);
        _window = new MetricsWindow(trainer.Config.LogEvery, trainer.Backend);

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
    public string LatestCheckpoint => CheckpointSet.Latest(Directory);
    public string MetricsPath => _metrics.Path;
    public GanTrainer Trainer { get; }
    public DataLoader Loader { get; }

    /// <summary>The next batch to train on.</summary>
    public DataPosition Position { get; private set; }

    public event Action<StepReport>? StepCompleted;
    public event Action<string>? SampleWritten;
    public event Action<string>? Notice;
    public event Action<EvalReport>? Evaluated;

    /// <summary>eval.csv, once <see cref="EvaluateWith"/> turned evaluation on; null before.</summary>
    public string? EvalPath => _evalLog?.Path;

    /// <summary>
    /// Judges G with <paramref name="judge"/> and/or measures its FID with <paramref name="inception"/> every
    /// <paramref name="every"/> steps and at the end of each epoch, into eval.csv, keeping the state with the lowest
    /// FID (without Inception, the lowest digit Fréchet distance) as checkpoints/best.safetensors. A resumed run keeps
    /// eval.csv's rows up to its checkpoint and the best score among them.
    /// </summary>
    public void EvaluateWith(RunJudge? judge, RunInception? inception, int every)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(every);
        if (judge is null && inception is null) throw new ArgumentException("Nothing to evaluate with: give the digit judge, Inception-v3 or both.");
        _judge = judge;
        _inception = inception;
        _evalEvery = every;
        _evalLog = new EvalLog(System.IO.Path.Combine(Directory, "eval.csv"), _resumedAt);
        RestoreBest();
    }

    /// <summary>Starts a new run in a new folder under config.Out (or <paramref name="directory"/>). Everything that
    /// can fail on the config and the data's shape fails before the folder is created, so a failed start leaves
    /// nothing behind.</summary>
    public static TrainingRun Create(GanConfig config, IDataset data, IBackend backend, string? directory = null)
    {
        config.Validate();
        var trainer = new GanTrainer(config, data.Channels, data.Height, data.ClassCount, backend);
        DataLoader loader = NewLoader(config, data, trainer);
        directory ??= NewRunDirectory(config);
        try { System.IO.Directory.CreateDirectory(directory); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // .NET's own message names only the path ("Could not find file '/proc/x'"), not the option behind it.
            throw new IOException($"--out {config.Out}: cannot create the run folder {directory} ({e.Message})", e);
        }
        return Open(directory, runLock =>
        {
            AtomicFile.Write(System.IO.Path.Combine(directory, "config.json"), s => s.Write(System.Text.Encoding.UTF8.GetBytes(config.ToJson() + "\n")));
            return new TrainingRun(directory, runLock, trainer, loader, new DataPosition(0, 0), resumed: false);
        });
    }

    /// <summary>Continues the run in <paramref name="directory"/> from <paramref name="checkpoint"/> (default: the
    /// newest usable one, <see cref="CheckpointSet.Find"/>).</summary>
    public static TrainingRun Resume(string directory, IDataset data, IBackend backend, Func<GanConfig, GanConfig>? adjust = null, string? checkpoint = null)
    {
        return Open(directory, runLock =>
        {
            string path = checkpoint ?? CheckpointSet.Find(directory).Path;
            Checkpoint.Info info = Checkpoint.ReadInfo(path);
            GanConfig config = adjust?.Invoke(info.Config) ?? info.Config;
            if (data.Channels != info.Channels || data.Height != info.ImageSize || data.ClassCount != info.Classes)
                throw new ArgumentException($"Cannot resume {directory}: it was trained on {info.Channels}×{info.ImageSize}² images with {info.Classes} classes, " +
                                            $"but the data is {data.Channels}×{data.Height}² with {data.ClassCount} classes.");
            var trainer = new GanTrainer(config, info.Channels, info.ImageSize, info.Classes, backend);
            DataLoader loader = NewLoader(config, data, trainer);
            DataPosition position = Checkpoint.Load(path, trainer);
            return new TrainingRun(directory, runLock, trainer, loader, position, resumed: true);
        });
    }

    /// <summary>Takes the folder's lock, removes the temporaries of writes a killed process left, and opens the run;
    /// the lock is released again if opening fails.</summary>
    private static TrainingRun Open(string directory, Func<RunLock, TrainingRun> open)
    {
        var runLock = RunLock.Acquire(System.IO.Path.Combine(directory, "run.lock"));
        try
        {
            AtomicFile.RemoveStale(directory);
            AtomicFile.RemoveStale(System.IO.Path.Combine(directory, "checkpoints"));
            return open(runLock);
        }
        catch
        {
            runLock.Dispose();
            throw;
        }
    }

    /// <summary>Trains until the configured epochs are done, <paramref name="cancellation"/> fires, or
    /// <paramref name="stopAtStep"/> is reached; an interrupted run writes a checkpoint before returning. A loss
    /// that is not finite ends the run (<see cref="GanConfig.OnNan"/> stop) or sends it back to its last
    /// checkpoint (rollback, up to three times in a row).</summary>
    public RunOutcome Run(CancellationToken cancellation = default, long? stopAtStep = null)
    {
        try
        {
            return Train(cancellation, stopAtStep);
        }
        catch (DivergenceException e)
        {
            Notice?.Invoke(File.Exists(LatestCheckpoint)
                ? $"{e.Message} Stopped; the last good checkpoint is {LatestCheckpoint} (step {Checkpoint.ReadInfo(LatestCheckpoint).Step}): " +
                  $"`rawgan train --resume {Directory} --on-nan rollback` goes on from it past the bad batches, or start a new run with a lower --lr."
                : $"{e.Message} Stopped before the first checkpoint, so nothing was saved; start a new run with a lower --lr.");
            return RunOutcome.Diverged;
        }
    }

    private RunOutcome Train(CancellationToken cancellation, long? stopAtStep)
    {
        GanConfig config = Trainer.Config;
        int rollbacks = 0;
        try
        {
            for (int epoch = Position.Epoch; epoch < config.Epochs; epoch++)
            {
                using IEnumerator<Batch> batches = Loader.Epoch(epoch, epoch == Position.Epoch ? Position.Batch : 0, cancellation).GetEnumerator();
                while (NextBatch(batches, ref rollbacks) is { } batch)
                {
                    if (cancellation.IsCancellationRequested || Trainer.Step >= stopAtStep) return Interrupt(ref rollbacks);
                    TrainOn(batch, epoch);
                    Position = new DataPosition(epoch, batch.Index + 1);
                    Loader.Recycle(batch);
                    // Samples and checkpoints read the metrics first: nothing is saved from weights a NaN has reached.
                    bool sample = config.SampleEvery > 0 && Trainer.Step % config.SampleEvery == 0;
                    bool checkpoint = config.CheckpointEvery > 0 && Trainer.Step % config.CheckpointEvery == 0;
                    bool evaluate = _evalLog is not null && Trainer.Step % _evalEvery == 0;
                    if (_window.IsFull || sample || checkpoint || evaluate) ReadMetrics(ref rollbacks);
                    StepCompleted?.Invoke(new StepReport(Trainer.Step, epoch, batch.Index, Loader.BatchesPerEpoch, _lastMetrics, _lastImagesPerSecond));
                    if (sample) WriteSamples($"step-{Trainer.Step:D6}");
                    if (evaluate) Evaluate(epoch);
                    if (checkpoint) SaveCheckpoint();
                }
                Position = new DataPosition(epoch + 1, 0);
                ReadMetrics(ref rollbacks);
                WriteSamples($"epoch-{epoch + 1:D3}");
                Evaluate(epoch);
                SaveCheckpoint();
            }
            return RunOutcome.Completed;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return Interrupt(ref rollbacks);
        }
    }

    /// <summary>The next batch, or null at the end of the epoch. A file the data set cannot decode (with --strict; it
    /// skips them otherwise) stops the run, but only after the steps trained so far are checkpointed.</summary>
    private Batch? NextBatch(IEnumerator<Batch> batches, ref int rollbacks)
    {
        try
        {
            return batches.MoveNext() ? batches.Current : null;
        }
        catch (InvalidDataException)
        {
            Interrupt(ref rollbacks, "fix or remove the file, then resume with");
            throw;
        }
    }

    /// <summary>Reads the window of queued metrics into metrics.csv (one device sync), or, at the first loss that is
    /// not finite, rolls back or throws <see cref="DivergenceException"/>.</summary>
    private void ReadMetrics(ref int rollbacks)
    {
        _windowClock.Start();
        IReadOnlyList<(long Step, int Epoch, StepMetrics Metrics)> rows = _window.Read(); // waits for the device
        _windowClock.Stop();
        if (rows.Count == 0) return;
        // Steps queued plus the wait for them: the device's throughput, without samples and checkpoints.
        double imagesPerSecond = _windowImages / Math.Max(_windowClock.Elapsed.TotalSeconds, 1e-9);
        _windowImages = 0;
        _windowClock.Reset();
        foreach ((long step, int epoch, StepMetrics m) in rows)
        {
            if (!m.IsFinite)
            {
                DivergenceException e = GanTrainer.Diverged(step, m);
                if (Trainer.Config.OnNan != NanPolicy.Rollback || rollbacks >= 3 || !File.Exists(LatestCheckpoint)) throw e;
                rollbacks++;
                RollBack(e.Message);
                return;
            }
            _metrics.Append(step, epoch, m, imagesPerSecond);
            _lastMetrics = m;
        }
        _lastImagesPerSecond = imagesPerSecond;
        rollbacks = 0;
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

    /// <summary>Judges G now, unless evaluation is off or this step was judged already (a step that ends an epoch
    /// and is also a multiple of the interval is judged once).</summary>
    private void Evaluate(int epoch)
    {
        if (_evalLog is null || _lastEvaluated == Trainer.Step) return;
        var report = new EvalReport(Trainer.Step, _judge?.Score(), _inception?.Fid(), false);
        _evalLog.Append(Trainer.Step, epoch, report.Scores, report.Fid);
        _lastEvaluated = Trainer.Step;
        bool best = report.Criterion < _best;
        if (best)
        {
            _best = report.Criterion;
            Checkpoint.Save(CheckpointSet.Best(Directory), Trainer, Position);
        }
        Evaluated?.Invoke(report with { IsBest = best });
    }

    /// <summary>The best score and last judged step among eval.csv's rows (after a resume or rollback trimmed them).</summary>
    private void RestoreBest()
    {
        List<EvalRow> rows = EvalLog.Read(_evalLog!.Path);
        _best = rows.Select(r => _inception is null ? r.FrechetDistance : r.Fid ?? double.NaN).Where(double.IsFinite).DefaultIfEmpty(double.PositiveInfinity).Min();
        _lastEvaluated = rows.Count == 0 ? -1 : rows[^1].Step;
    }

    public void SaveCheckpoint()
    {
        CheckpointSet.Save(Directory, Trainer, Position);
        Checkpoint.SaveGenerator(System.IO.Path.Combine(Directory, "generator.safetensors"), Trainer);
    }

    public void Dispose()
    {
        _metrics.Dispose();
        _evalLog?.Dispose();
        _lock.Dispose();
    }

    private void TrainOn(Batch batch, int epoch)
    {
        _windowClock.Start();
        using var scope = new TensorScope(); // the batch's tensors are a step's intermediates too
        var shape = new Shape(batch.Count, Trainer.Channels, Trainer.Size, Trainer.Size);
        Tensor real = Tensor.FromSpan<float>(batch.Images.AsSpan(0, (int)shape.Numel), shape, DType.Float32, Trainer.Backend);
        Tensor? labels = Trainer.IsConditional ? Tensor.FromSpan<int>(batch.Labels, new Shape(batch.Count), DType.Int32, Trainer.Backend) : null;
        double rate = LearningRateDecay.Factor(Trainer.Config, epoch, batch.Index, Loader.BatchesPerEpoch);
        Trainer.OptG.Lr = Trainer.Config.GeneratorLr() * rate;
        Trainer.OptD.Lr = Trainer.Config.DiscriminatorLr() * rate;
        Tensor metrics = Trainer.EnqueueStep(real, labels);
        _window.Add(Trainer.Step, epoch, metrics);
        _windowClock.Stop();
        _windowImages += batch.Count;
    }

    private RunOutcome Interrupt(ref int rollbacks, string resumeHint = "Resume with")
    {
        ReadMetrics(ref rollbacks);
        SaveCheckpoint();
        Notice?.Invoke($"Stopped at step {Trainer.Step}; checkpoint written. {char.ToUpperInvariant(resumeHint[0])}{resumeHint[1..]}: rawgan train --resume {Directory}");
        return RunOutcome.Interrupted;
    }

    // The weights and moments return to the last checkpoint; the data and noise go on, so the same batches are not
    // replayed into the same NaN.
    private void RollBack(string why)
    {
        ulong noise = Trainer.NoiseRng.Offset, dropout = Trainer.DropoutRng.Offset, augment = Trainer.Augment?.Rng.Offset ?? 0;
        long step = Trainer.Step;
        Checkpoint.Load(LatestCheckpoint, Trainer);
        _window.Clear();
        _metrics.RewindTo(Trainer.Step);
        if (_evalLog is not null)
        {
            _evalLog.RewindTo(Trainer.Step);
            RestoreBest();
        }
        Trainer.NoiseRng.Restore(noise);
        Trainer.DropoutRng.Restore(dropout);
        Trainer.Augment?.Rng.Restore(augment);
        Notice?.Invoke($"{why} Rolled back to the checkpoint at step {Trainer.Step} (was at {step}); training goes on with the next batch.");
    }

    private static DataLoader NewLoader(GanConfig config, IDataset data, GanTrainer trainer)
    {
        var loader = new DataLoader(AugmentedDataset.Wrap(data, config.RandomCrop, config.RandomRotation), config.BatchSize, config.Seed, shuffle: true, dropLast: config.DropLast);
        // Found now rather than at the end of the first epoch: BatchNorm cannot normalise a batch of one.
        bool hasBatchNorm = trainer.G.Modules().Concat(trainer.D.Modules()).Any(m => m is Nn.BatchNorm);
        if (!config.DropLast && data.Count % config.BatchSize == 1 && hasBatchNorm)
            throw new ArgumentException($"--keep-last: the last batch of each epoch would hold 1 image ({data.Count} images, --batch-size {config.BatchSize}), " +
                                        $"which {config.Model}'s BatchNorm cannot normalise; pick a batch size that leaves 0 or at least 2, or drop --keep-last.");
        return loader;
    }

    private static string NewRunDirectory(GanConfig config)
    {
        string stem = System.IO.Path.Combine(config.Out, $"{OptionNames.Name(config.Model)}-{DateTime.Now:yyyyMMdd-HHmmss}");
        string dir = stem;
        for (int i = 2; System.IO.Directory.Exists(dir); i++) dir = $"{stem}-{i}";
        return dir;
    }
}
