using System.CommandLine;
using System.Text.Json;
using RawGan.Backends;
using RawGan.Data;
using RawGan.Eval;
using RawGan.Gan;
using RawGan.Gan.Models;
using RawGan.Tensors;
using Spectre.Console;

namespace RawGan.Cli.Commands;

/// <summary>`rawgan eval`: how good a run's digits are, by the bundled digit judge (see README, "Evaluating a run").</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var command = new Command("eval", "Measure a trained generator's digits with the bundled digit judge: class accuracy, Fréchet distance, IS, KID, precision/recall, memorisation.");
        var run = new Option<DirectoryInfo>("--run") { Description = "a run folder (uses its generator.safetensors)" };
        var checkpoint = new Option<FileInfo>("--checkpoint") { Description = "a checkpoint or generator .safetensors file" };
        var count = new Option<int?>("--count") { Description = "how many samples to judge (default 2000)" };
        var seed = new Option<ulong>("--seed") { Description = "seed of the latent codes (default 0)" };
        var batchSize = new Option<int?>("--batch-size") { Description = "images per batch through the generator and the judge (default 500)" };
        var device = new Option<string?>("--device") { Description = "cpu, cuda, cuda:N or auto (default auto)" };
        var inception = new Option<string>("--inception") { Description = $"FID Inception-v3 weights (.safetensors) for FID, KID and IS (default ${InceptionWeights.EnvironmentVariable})" };
        var resize = new Option<string?>("--inception-resize") { Description = $"{OptionNames.Accepted<InceptionResize>()}: pytorch-fid's or clean-fid's resize to 299 (default legacy)" };
        foreach (Option o in new Option[] { run, checkpoint, count, seed, batchSize, device, inception, resize }) command.Add(o);
        command.SetAction(p => Program.Guard(() => Run(p.GetValue(run), p.GetValue(checkpoint), p.GetValue(count) ?? 2000, p.GetValue(seed), p.GetValue(batchSize) ?? 500,
            p.GetValue(device) ?? "auto", InceptionWeights.Locate(p.GetValue(inception)),
            OptionNames.Parse<InceptionResize>("--inception-resize", p.GetValue(resize) ?? "legacy"))));
        return command;
    }

    private static int Run(DirectoryInfo? run, FileInfo? checkpoint, int count, ulong seed, int batchSize, string device, string? inception, InceptionResize resize)
    {
        if ((run is null) == (checkpoint is null)) throw new ArgumentException("Give exactly one of --run RUN_DIR or --checkpoint FILE.");
        if (count < DigitJudge.FeatureSize) throw new ArgumentException($"--count {count}: the judge's Fréchet distance needs at least {DigitJudge.FeatureSize} samples.");
        if (batchSize <= 0) throw new ArgumentException($"--batch-size must be positive, not {batchSize}.");
        if (inception is not null) FrechetDistance.RequireEnough(count, InceptionV3.FeatureSize, $"--count {count} with --inception");
        string path = checkpoint?.FullName ?? Path.Combine(run!.FullName, "generator.safetensors");
        IBackend backend = DeviceChoice.Resolve(device);
        (GanGenerator g, Checkpoint.Info info) = Sampling.LoadGenerator(path, backend);
        if (info.Config.Data is not null || info.Channels != 1)
            throw new ArgumentException($"{path} was not trained on the bundled digits; the digit judge measures digits only (Inception-v3 metrics for other data are not implemented yet).");

        DigitEvaluation result = null!;
        InceptionEvaluation? fid = null;
        int[]? labels = g.IsConditional ? Enumerable.Range(0, count).Select(i => i % info.Classes).ToArray() : null;
        AnsiConsole.Status().Start("generating samples", status =>
        {
            float[] samples = Generate(g, info, count, seed, batchSize, labels, backend);
            (float[] reference, float[] heldOut) = BundledDigits();
            result = DigitEvaluation.Run(DigitJudge.LoadEmbedded(backend), samples, labels, reference, heldOut,
                progress: s => status.Status(s));
            if (inception is not null)
                fid = InceptionEvaluation.Run(InceptionWeights.Load(inception, backend), samples, reference[..Math.Min(reference.Length, samples.Length)], 1, DigitJudge.ImageSize,
                    resize, progress: s => status.Status(s));
        });
        Print(result);
        AnsiConsole.MarkupLine(fid is null ? $"[grey]{Markup.Escape(InceptionWeights.HowToGet)}[/]"
            : $"Inception-v3 ({OptionNames.Name(fid.Resize)} resize, {count} samples vs as many bundled digits): FID {fid.Fid:F3}, KID {fid.Kid.Mean:G4} ± {fid.Kid.Std:G3}, IS {fid.InceptionScore:F2} ± {fid.InceptionScoreStd:F2}");
        string json = Path.Combine(Path.GetDirectoryName(path)!, "eval.json");
        File.WriteAllText(json, JsonSerializer.Serialize(ToJson(path, count, seed, result, fid), new JsonSerializerOptions { WriteIndented = true }));
        AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(json)}[/]");
        return 0;
    }

    private static float[] Generate(GanGenerator g, Checkpoint.Info info, int count, ulong seed, int batchSize, int[]? labels, IBackend backend)
    {
        var rng = new Generator(seed);
        var output = new List<float>();
        for (int start = 0; start < count; start += batchSize)
        {
            int n = Math.Min(batchSize, count - start);
            using var scope = new TensorScope();
            Tensor z = Tensor.Randn(new Shape(n, g.LatentSize), rng, DType.Float32, backend);
            Tensor? l = labels is null ? null : Tensor.FromSpan<int>(labels.AsSpan(start, n), new Shape(n), DType.Int32, backend);
            output.AddRange(DigitScores.ToJudgeInput(Sampling.Generate(g, z, l), n, info.Channels, info.ImageSize, info.ImageSize));
        }
        return [.. output];
    }

    /// <summary>The bundled digits at 28×28: the 8,000 the judge trained on (the reference) and the 2,000 it did not
    /// (for the real-vs-real floor). A GAN trains on all 10,000, so the floor is a lower bound, not a target.</summary>
    private static (float[] Reference, float[] HeldOut) BundledDigits()
    {
        MnistDataset data = DataSources.Bundled();
        const int Pixels = DigitJudge.ImageSize * DigitJudge.ImageSize;
        var reference = new List<float>();
        var heldOut = new List<float>();
        var digit = new float[Pixels];
        for (int i = 0; i < data.Count; i++)
        {
            data.Load(i, digit, 0, out _);
            (DigitJudge.IsHeldOut(i) ? heldOut : reference).AddRange(digit);
        }
        return ([.. reference], [.. heldOut]);
    }

    private static void Print(DigitEvaluation r)
    {
        var table = new Table().AddColumn("metric (digit judge)").AddColumn(new TableColumn("value").RightAligned());
        if (r.Scores.Accuracy is { } accuracy)
        {
            table.AddRow("class accuracy (requested label)", $"{accuracy:P1}");
            table.AddRow("  per label 0-9", string.Join(" ", r.Scores.AccuracyPerLabel!.Select(a => $"{a:P0}")));
        }
        table.AddRow("Fréchet distance (judge features)", $"{r.Scores.FrechetDistance:F3}");
        table.AddRow("  real-vs-real floor", $"{r.FrechetFloor:F3}");
        table.AddRow("KID", $"{r.Kid.Mean:G4} ± {r.Kid.Std:G3}");
        table.AddRow("IS analogue (max 10)", $"{r.Scores.InceptionScore:F2}");
        table.AddRow("mean confidence", $"{r.Scores.MeanConfidence:P1}");
        table.AddRow("precision / recall (k = 3)", $"{r.Precision:F3} / {r.Recall:F3}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(Markup.Escape(r.Memorisation.Summary) + " (against the first 2,000 bundled digits).");
        AnsiConsole.MarkupLine("[grey]These are the bundled digit judge's numbers, not comparable with papers' Inception FID or IS.[/]");
    }

    private static object ToJson(string generator, int count, ulong seed, DigitEvaluation r, InceptionEvaluation? fid) => new
    {
        generator,
        count,
        seed,
        feature_network = "rawgan-digit-judge",
        class_accuracy = r.Scores.Accuracy,
        class_accuracy_per_label = r.Scores.AccuracyPerLabel?.Select(a => double.IsNaN(a) ? (double?)null : a),
        frechet_distance = r.Scores.FrechetDistance,
        frechet_distance_real_floor = r.FrechetFloor,
        kid_mean = r.Kid.Mean,
        kid_std = r.Kid.Std,
        inception_score_analogue = r.Scores.InceptionScore,
        mean_confidence = r.Scores.MeanConfidence,
        precision = r.Precision,
        recall = r.Recall,
        memorisation = r.Memorisation.Summary,
        inception = fid is null ? (object)new { missing = InceptionWeights.HowToGet }
            : new { resize = OptionNames.Name(fid.Resize), fid = fid.Fid, kid_mean = fid.Kid.Mean, kid_std = fid.Kid.Std, inception_score = fid.InceptionScore, inception_score_std = fid.InceptionScoreStd },
    };
}
