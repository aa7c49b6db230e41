using RawGan.Backends.Cpu;
using RawGan.Data;
using RawGan.Eval;
using RawGan.Gan;
using RawGan.IO;
using RawGan.Tensors;

namespace RawGan.Tests.Gan;

/// <summary>The digit judge during training (<see cref="TrainingRun.EvaluateWith"/>): rows at the interval and at
/// each epoch's end, the best state kept, the training itself untouched, and a resumed run's files identical to an
/// uninterrupted run's.</summary>
public class EvaluationInTrainingTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rawgan-evaltrain-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    // 8×8 images (the judge's input is resized on the device), 2 batches an epoch, 3 epochs.
    private static readonly GanConfig Config = new()
    {
        Model = ModelKind.Cdcgan, Nz = 8, Ngf = 4, Ndf = 4, BatchSize = 4, Epochs = 3, Seed = 3, SampleEvery = 0, CheckpointEvery = 0, LogEvery = 1,
    };

    private static readonly TinyDataset Data = new(10, 1, 8, 10);

    /// <summary>Real-digit statistics stand-in: the scores only need a 128-d reference.</summary>
    private static readonly FeatureStatistics Reference = new(new double[DigitJudge.FeatureSize], Identity(DigitJudge.FeatureSize));

    private static TrainingRun Start(string directory, bool evaluate)
    {
        var run = TrainingRun.Create(Config, Data, CpuBackend.Default, directory);
        if (evaluate) run.EvaluateWith(new RunJudge(run.Trainer, Reference, count: 130), null, every: 3);
        return run;
    }

    [Fact]
    public void Evaluation_writes_its_rows_and_the_best_state_without_changing_the_training()
    {
        string plain = Path.Combine(_root, "plain"), judged = Path.Combine(_root, "judged");
        using (var run = Start(plain, evaluate: false))
            Assert.Equal(RunOutcome.Completed, run.Run(TestContext.Current.CancellationToken));
        var reports = new List<EvalReport>();
        using (var run = Start(judged, evaluate: true))
        {
            run.Evaluated += reports.Add;
            Assert.Equal(RunOutcome.Completed, run.Run(TestContext.Current.CancellationToken));
        }

        // Steps 3 and 6 by the interval, 2 and 4 as epochs end (6 is both, judged once).
        List<EvalRow> rows = EvalLog.Read(Path.Combine(judged, "eval.csv"));
        Assert.Equal([2L, 3, 4, 6], rows.Select(r => r.Step));
        Assert.Equal([0, 1, 1, 2], rows.Select(r => r.Epoch));
        Assert.All(rows, r => Assert.True(double.IsFinite(r.FrechetDistance) && r.ClassAccuracy is >= 0 and <= 1 && r.InceptionScore is >= 1 and <= 10));
        EvalReport best = reports.MinBy(r => r.Scores!.FrechetDistance)!;
        Assert.Equal(best.Step, Checkpoint.ReadInfo(CheckpointSet.Best(judged)).Step);
        Assert.Equal(reports.Select((r, i) => r.Scores!.FrechetDistance < reports.Take(i).Select(p => p.Scores!.FrechetDistance).DefaultIfEmpty(double.PositiveInfinity).Min()),
                     reports.Select(r => r.IsBest));

        // The judge draws from its own stream and samples G in eval mode: the trained bits are those of a run without it.
        AssertSameCheckpoint(CheckpointSet.Latest(plain), CheckpointSet.Latest(judged));
        Assert.Equal(File.ReadAllLines(Path.Combine(plain, "metrics.csv")).Select(Losses), File.ReadAllLines(Path.Combine(judged, "metrics.csv")).Select(Losses));
    }

    [Fact]
    public void A_resumed_run_writes_the_same_eval_csv_and_best_checkpoint()
    {
        string straight = Path.Combine(_root, "straight"), resumed = Path.Combine(_root, "resumed");
        using (var run = Start(straight, evaluate: true))
            Assert.Equal(RunOutcome.Completed, run.Run(TestContext.Current.CancellationToken));

        using (var run = Start(resumed, evaluate: true))
            Assert.Equal(RunOutcome.Interrupted, run.Run(TestContext.Current.CancellationToken, stopAtStep: 4)); // judged at 2, 3, 4
        // As if killed after judging step 6 but before its checkpoint: a row the resumed run must drop and write again.
        File.AppendAllText(Path.Combine(resumed, "eval.csv"), "6,2,0.5,9,0.9,0.9,,,,,,,,,,\n");
        using (var run = TrainingRun.Resume(resumed, Data, CpuBackend.Default))
        {
            run.EvaluateWith(new RunJudge(run.Trainer, Reference, count: 130), null, every: 3);
            Assert.Equal(RunOutcome.Completed, run.Run(TestContext.Current.CancellationToken));
        }

        Assert.Equal(File.ReadAllText(Path.Combine(straight, "eval.csv")), File.ReadAllText(Path.Combine(resumed, "eval.csv")));
        AssertSameCheckpoint(CheckpointSet.Best(straight), CheckpointSet.Best(resumed));
    }

    /// <summary>With the moving average on, the judge scores the generator the run samples with and saves (the
    /// average, not the G being trained); with --resize pad it reads the centre of the padded images unresampled.</summary>
    [Theory]
    [InlineData(0.0, ResizeMode.CenterCrop)]
    [InlineData(0.9, ResizeMode.CenterCrop)]
    [InlineData(0.9, ResizeMode.Pad)]
    public void The_judge_on_the_device_scores_as_the_host_path_does(double ema, ResizeMode resize)
    {
        using var run = TrainingRun.Create(Config with { Ema = ema, Resize = resize }, Data, CpuBackend.Default, Path.Combine(_root, "run"));
        run.Run(TestContext.Current.CancellationToken, stopAtStep: 2);
        const int Count = 200; // one batch: the codes are the first 200 of the judge's stream
        DigitScores device = new RunJudge(run.Trainer, Reference, Count).Score();

        Tensor z = Tensor.Randn(new Shape(Count, Config.Nz), new Generator(Config.Seed + 5), DType.Float32, CpuBackend.Default);
        int[] labels = Enumerable.Range(0, Count).Select(i => i % 10).ToArray();
        float[] images = run.Trainer.Sample(z, Tensor.FromArray(labels, new Shape(Count)));
        JudgedImages judged = DigitJudge.LoadEmbedded().Judge(DigitScores.ToJudgeInput(images, Count, 1, 8, 8, resize), Count);
        DigitScores host = DigitScores.Compute(judged, Reference, labels);

        Assert.Equal(host.FrechetDistance, device.FrechetDistance, host.FrechetDistance * 1e-4);
        Assert.Equal(host.InceptionScore, device.InceptionScore, 1e-5);
        Assert.Equal(host.MeanConfidence, device.MeanConfidence, 1e-5);
        Assert.Equal(host.Accuracy, device.Accuracy);
    }

    [Fact]
    public void The_eval_every_and_inception_keys_are_written_only_when_set()
    {
        Assert.DoesNotContain("evalEvery", new GanConfig().ToJson()); // so configs from before the keys write back unchanged
        Assert.DoesNotContain("inception", new GanConfig().ToJson());
        GanConfig set = GanConfig.FromJson("""{ "evalEvery": 0, "inception": "w.safetensors" }""", "test");
        Assert.Equal((0, "w.safetensors"), (set.EvalEvery, set.Inception));
        Assert.Equal(set, GanConfig.FromJson(set.ToJson(), "test"));
    }

    [Fact]
    public void Eval_csv_holds_fid_and_leaves_the_judges_columns_empty_where_it_does_not_judge()
    {
        string path = Path.Combine(_root, "eval.csv");
        var judged = new DigitScores(0.5, [.. Enumerable.Repeat(0.5, 10)], 3.25, 7.5, 0.75);
        using (var log = new EvalLog(path))
        {
            log.Append(2, 0, judged, null);
            log.Append(4, 0, judged, 81.5);
            log.Append(6, 1, null, 60.25);
        }
        List<EvalRow> rows = EvalLog.Read(path);
        Assert.Equal(new EvalRow(2, 0, 3.25, 7.5, 0.75, 0.5), rows[0]);
        Assert.Equal(new EvalRow(4, 0, 3.25, 7.5, 0.75, 0.5, 81.5), rows[1]);
        Assert.Equal((6L, 60.25, (double?)null), (rows[2].Step, rows[2].Fid!.Value, rows[2].ClassAccuracy));
        Assert.True(double.IsNaN(rows[2].FrechetDistance));
        Assert.Equal(EvalLog.Header.Count(c => c == ','), File.ReadAllLines(path)[^1].Count(c => c == ','));
        Assert.Equal(60.25, new EvalReport(6, null, 60.25, false).Criterion);   // FID picks the best where it is measured
        Assert.Equal(3.25, new EvalReport(2, judged, null, false).Criterion);
    }

    [Fact]
    public void Statistics_reduced_on_the_device_are_the_host_ones()
    {
        var rng = new Generator(3);
        Tensor features = Tensor.Randn(new Shape(40, 6), rng, DType.Float32, CpuBackend.Default);
        FeatureStatistics host = FeatureStatistics.From(Distances.ToMatrix(features.ToFloatArray(), 40));
        (Tensor mu, Tensor sigma) = DeviceStatistics.Compute(features);
        FeatureStatistics device = DeviceStatistics.FromRead([.. mu.ToFloatArray(), .. sigma.ToFloatArray()], 6, 40);
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(host.Mu[i], device.Mu[i], 1e-6);
            for (int j = 0; j < 6; j++) Assert.Equal(host.Sigma[i, j], device.Sigma[i, j], 1e-5);
        }
        Assert.Equal(40, device.Count);
    }

    private static void AssertSameCheckpoint(string expectedPath, string actualPath)
    {
        SafeTensorsFile expected = SafeTensors.Read(expectedPath), actual = SafeTensors.Read(actualPath);
        Assert.Equal(expected.Tensors.Select(t => t.Name), actual.Tensors.Select(t => t.Name));
        foreach (SafeTensorEntry t in expected.Tensors) Assert.True(t.Data.SequenceEqual(actual.Get(t.Name).Data), $"{t.Name} differs");
        Assert.Equal(expected.Metadata.OrderBy(m => m.Key), actual.Metadata.OrderBy(m => m.Key));
    }

    private static string Losses(string line) => string.Join(',', line.Split(',').Take(6)); // images/s is timing

    private static double[,] Identity(int n)
    {
        var m = new double[n, n];
        for (int i = 0; i < n; i++) m[i, i] = 1;
        return m;
    }
}
