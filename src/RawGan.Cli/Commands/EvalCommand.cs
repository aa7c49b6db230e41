using System.CommandLine;
using System.Text.Json;
using RawGan.Backends;
using RawGan.Eval;
using RawGan.Gan;
using RawGan.Gan.Models;
using RawGan.Tensors;
using Spectre.Console;

namespace RawGan.Cli.Commands;

/// <summary>`rawgan eval`: how good generated digits are, by the bundled digit judge (see README, "Evaluating a run"):
/// a generator's (--run, --checkpoint), or a folder of images (--images) against another folder or an .npz of
/// feature statistics (--against).</summary>
internal static class EvalCommand
{
    private const string FeatureSpace = "the bundled digit judge's 128-d features (not Inception-v3: numbers not comparable with papers' FID)";

    private sealed record Settings(int? Count, ulong Seed, int BatchSize, IBackend Backend, string? Out, string? SaveStats,
                                   string? Inception, InceptionResize Resize, Quantization Quantization);

    public static Command Create()
    {
        var command = new Command("eval", "Measure generated digits with the bundled digit judge: class accuracy, Fréchet distance, IS, KID, precision/recall, memorisation.");
        var run = new Option<DirectoryInfo>("--run") { Description = "a run folder (uses its generator.safetensors)" };
        var checkpoint = new Option<FileInfo>("--checkpoint") { Description = "a checkpoint or generator .safetensors file" };
        var images = new Option<DirectoryInfo>("--images") { Description = "a folder of generated images to judge instead of a generator (any sizes: each is made gray and resized to 28×28)" };
        var against = new Option<string>("--against") { Description = "with --images: a folder of real images, or an .npz of feature statistics (mu, sigma; pytorch-fid's format) in the judge's feature space" };
        var saveStats = new Option<FileInfo>("--save-stats") { Description = "write the judged images' feature statistics to this .npz (pytorch-fid's format), to use later with --against" };
        var count = new Option<int?>("--count") { Description = "samples to generate (default 2000), or at most this many images of each folder (default all)" };
        var seed = new Option<ulong>("--seed") { Description = "seed of the latent codes (default 0)" };
        var batchSize = new Option<int?>("--batch-size") { Description = "images per batch through the generator and the judge (default 500)" };
        var device = new Option<string?>("--device") { Description = "cpu, cuda, cuda:N or auto (default auto)" };
        var inception = new Option<string>("--inception") { Description = $"with --run/--checkpoint: FID Inception-v3 weights (.safetensors) for FID, KID and IS (default ${InceptionWeights.EnvironmentVariable})" };
        var resize = new Option<string?>("--inception-resize") { Description = $"{OptionNames.Accepted<InceptionResize>()}: pytorch-fid's or clean-fid's resize to 299 (default legacy)" };
        var output = new Option<DirectoryInfo>("--out") { Description = "folder for eval.json and memorisation.png (default: the run's or checkpoint's folder; the current folder for --images)" };
        var quantize = QuantizeChoice.Create();
        foreach (Option o in new Option[] { run, checkpoint, images, against, saveStats, count, seed, batchSize, device, output, inception, resize, quantize }) command.Add(o);
        command.SetAction(p => Program.Guard(() =>
        {
            int sources = new object?[] { p.GetValue(run), p.GetValue(checkpoint), p.GetValue(images) }.Count(o => o is not null);
            if (sources != 1) throw new ArgumentException("Give exactly one of --run RUN_DIR, --checkpoint FILE or --images FOLDER.");
            int size = p.GetValue(batchSize) ?? 500;
            if (size <= 0) throw new ArgumentException($"--batch-size must be positive, not {size}.");
            if (p.GetValue(count) is <= 0) throw new ArgumentException($"--count must be positive, not {p.GetValue(count)}.");
            InceptionResize inceptionResize = OptionNames.Parse<InceptionResize>("--inception-resize", p.GetValue(resize) ?? "legacy");
            string? weights = InceptionWeights.Locate(p.GetValue(inception));
            if (p.GetValue(images) is not null && p.GetValue(inception) is not null)
                throw new ArgumentException("--inception goes with --run or --checkpoint; folders are judged in the digit judge's feature space.");
            IBackend backend = DeviceChoice.Resolve(p.GetValue(device) ?? "auto");
            var settings = new Settings(p.GetValue(count), p.GetValue(seed), size, backend, p.GetValue(output)?.FullName,
                                        p.GetValue(saveStats)?.FullName, weights, inceptionResize, QuantizeChoice.Resolve(p.GetValue(quantize), backend));
            if (p.GetValue(images) is not null && settings.Quantization != Quantization.None)
                throw new ArgumentException("--quantize goes with --run or --checkpoint: it changes how a generator is run.");
            if (p.GetValue(images) is { } folder) return Folder(folder.FullName, p.GetValue(against), settings);
            if (p.GetValue(against) is not null || settings.SaveStats is not null)
                throw new ArgumentException("--against and --save-stats go with --images; a generator is judged against the bundled digits.");
            return Generator(p.GetValue(checkpoint)?.FullName ?? Path.Combine(p.GetValue(run)!.FullName, "generator.safetensors"), settings);
        }));
        return command;
    }

    /// <summary>A generator's samples against the bundled digits.</summary>
    private static int Generator(string path, Settings s)
    {
        int count = s.Count ?? 2000;
        FrechetDistance.RequireEnough(count, DigitJudge.FeatureSize, $"--count {count}: the judge's Fréchet distance");
        if (s.Inception is not null) FrechetDistance.RequireEnough(count, InceptionV3.FeatureSize, $"--count {count} with --inception");
        (GanGenerator g, Checkpoint.Info info) = Sampling.LoadGenerator(path, s.Backend, s.Quantization);
        if (info.Config.Data is not null || info.Channels != 1)
            throw new ArgumentException($"{path} was not trained on the bundled digits; the digit judge measures digits only (Inception-v3 metrics for other data are not implemented yet).");
        int[]? labels = g.IsConditional ? Enumerable.Range(0, count).Select(i => i % info.Classes).ToArray() : null;
        DigitEvaluation result = null!;
        InceptionEvaluation? fid = null;
        float[] samples = [], reference = [];
        AnsiConsole.Status().Start("generating samples", status =>
        {
            samples = Generate(g, info, count, s.Seed, s.BatchSize, labels, s.Backend);
            (reference, float[] heldOut) = DigitReference.BundledDigits();
            result = DigitEvaluation.Run(DigitJudge.LoadEmbedded(s.Backend), samples, labels, reference, heldOut, progress: m => status.Status(m));
            if (s.Inception is not null)
                fid = InceptionEvaluation.Run(InceptionWeights.Load(s.Inception, s.Backend), samples, reference[..Math.Min(reference.Length, samples.Length)], 1,
                    DigitJudge.ImageSize, s.Resize, progress: m => status.Status(m));
        });
        AnsiConsole.MarkupLine(fid is null ? $"[grey]{Markup.Escape(InceptionWeights.HowToGet)}[/]"
            : $"Inception-v3 ({OptionNames.Name(fid.Resize)} resize, {count} samples vs as many bundled digits): FID {fid.Fid:F3}, KID {fid.Kid.Mean:G4} ± {fid.Kid.Std:G3}, IS {fid.InceptionScore:F2} ± {fid.InceptionScoreStd:F2}");
        Finish(s.Out ?? Path.GetDirectoryName(path)!, result, samples, reference, "the first 2,000 bundled digits",
            new() { ["generator"] = path, ["count"] = count, ["seed"] = s.Seed, ["inception"] = InceptionJson(fid) });
        return 0;
    }

    /// <summary>A folder of images against a folder of real ones (every metric) or an .npz (the Fréchet distance).</summary>
    private static int Folder(string folder, string? against, Settings s)
    {
        if (against is null && s.SaveStats is null)
            throw new ArgumentException("--images needs --against REAL_FOLDER|STATS.npz, or --save-stats FILE.npz to only write its statistics.");
        bool npz = against is not null && against.EndsWith(".npz", StringComparison.OrdinalIgnoreCase);
        ImageSet samples = null!;
        ImageSet? real = null;
        object? result = null;
        AnsiConsole.Status().Start($"reading {folder}", status =>
        {
            samples = ImageSet.FromFolder(folder, s.Count);
            if (against is null) return;
            var judge = DigitJudge.LoadEmbedded(s.Backend);
            if (npz)
            {
                FeatureStatistics stats = NpzStatistics.Read(against);
                if (stats.Dimension != DigitJudge.FeatureSize)
                    throw new ArgumentException($"{against} holds {stats.Dimension}-d statistics (2048-d ones are Inception-v3's pool3), but the images are judged in {FeatureSpace}: " +
                                                "compare with an .npz that `rawgan eval --images REAL --save-stats FILE` wrote.");
                status.Status($"judging {samples.Count} images");
                result = DigitScores.Compute(judge.Judge(samples.Pixels, samples.Count, s.BatchSize), stats);
                return;
            }
            status.Status($"reading {against}");
            real = ImageSet.FromFolder(against, s.Count);
            FrechetDistance.RequireEnough(real.Count, DigitJudge.FeatureSize, $"--against {against}");
            FrechetDistance.RequireEnough(samples.Count, DigitJudge.FeatureSize, $"--images {folder}");
            result = DigitEvaluation.Run(judge, samples.Pixels, null, real.Pixels, null, progress: m => status.Status(m));
        });
        string output = s.Out ?? Directory.GetCurrentDirectory();
        var source = new Dictionary<string, object?> { ["images"] = folder, ["against"] = against, ["count"] = samples.Count };
        switch (result)
        {
            case DigitEvaluation full:
                Finish(output, full, samples.Pixels, real!.Pixels, $"the first {Math.Min(2000, real.Count):N0} images of {against}", source);
                break;
            case DigitScores scores:
                Print(scores, null);
                WriteJson(output, new Dictionary<string, object?>(source)
                {
                    ["feature_network"] = "rawgan-digit-judge", ["feature_space"] = FeatureSpace, ["frechet_distance"] = scores.FrechetDistance,
                    ["inception_score_analogue"] = scores.InceptionScore, ["mean_confidence"] = scores.MeanConfidence,
                });
                break;
        }
        if (s.SaveStats is not null) SaveStatistics(s.SaveStats, samples, s);
        return 0;
    }

    private static void Finish(string output, DigitEvaluation result, float[] samples, float[] reference, string referenceName, Dictionary<string, object?> source)
    {
        Print(result.Scores, result);
        AnsiConsole.MarkupLine(Markup.Escape($"{result.Memorisation.Summary} (against {referenceName})."));
        Directory.CreateDirectory(output);
        string pairs = Path.Combine(output, "memorisation.png");
        result.SavePairs(pairs, samples, reference);
        AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(pairs)}[/] (each sample nearest a real image in pixels, beside that image; closest first)");
        WriteJson(output, ToJson(source, result));
    }

    private static void SaveStatistics(string path, ImageSet images, Settings s)
    {
        FrechetDistance.RequireEnough(images.Count, DigitJudge.FeatureSize, $"--save-stats for {images.Name}");
        JudgedImages judged = DigitJudge.LoadEmbedded(s.Backend).Judge(images.Pixels, images.Count, s.BatchSize);
        NpzStatistics.Write(path, FeatureStatistics.From(judged.Features));
        AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(path)}[/]: mu and sigma of {images.Count:N0} images in {Markup.Escape(FeatureSpace)}");
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

    private static void Print(DigitScores scores, DigitEvaluation? r)
    {
        var table = new Table().AddColumn("metric (digit judge)").AddColumn(new TableColumn("value").RightAligned());
        if (scores.Accuracy is { } accuracy)
        {
            table.AddRow("class accuracy (requested label)", $"{accuracy:P1}");
            table.AddRow("  per label 0-9", string.Join(" ", scores.AccuracyPerLabel!.Select(a => $"{a:P0}")));
        }
        table.AddRow("Fréchet distance (judge features)", $"{scores.FrechetDistance:F3}");
        if (r is not null && !double.IsNaN(r.FrechetFloor)) table.AddRow("  real-vs-real floor", $"{r.FrechetFloor:F3}");
        if (r is not null) table.AddRow("KID", $"{r.Kid.Mean:G4} ± {r.Kid.Std:G3}");
        table.AddRow("IS analogue (max 10)", $"{scores.InceptionScore:F2}");
        table.AddRow("mean confidence", $"{scores.MeanConfidence:P1}");
        if (r is not null) table.AddRow("precision / recall (k = 3)", $"{r.Precision:F3} / {r.Recall:F3}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"[grey]Feature space: {Markup.Escape(FeatureSpace)}.[/]");
    }

    private static void WriteJson(string output, object value)
    {
        Directory.CreateDirectory(output);
        string json = Path.Combine(output, "eval.json");
        File.WriteAllText(json, JsonSerializer.Serialize(value, new JsonSerializerOptions { WriteIndented = true }));
        AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(json)}[/]");
    }

    private static object InceptionJson(InceptionEvaluation? fid) => fid is null ? new { missing = InceptionWeights.HowToGet }
        : new { resize = OptionNames.Name(fid.Resize), fid = fid.Fid, kid_mean = fid.Kid.Mean, kid_std = fid.Kid.Std, inception_score = fid.InceptionScore, inception_score_std = fid.InceptionScoreStd };

    /// <summary>What was judged (<paramref name="source"/>'s entries first), then the scores.</summary>
    private static Dictionary<string, object?> ToJson(Dictionary<string, object?> source, DigitEvaluation r) => new(source)
    {
        ["feature_network"] = "rawgan-digit-judge",
        ["feature_space"] = FeatureSpace,
        ["class_accuracy"] = r.Scores.Accuracy,
        ["class_accuracy_per_label"] = r.Scores.AccuracyPerLabel?.Select(a => double.IsNaN(a) ? (double?)null : a),
        ["frechet_distance"] = r.Scores.FrechetDistance,
        ["frechet_distance_real_floor"] = double.IsNaN(r.FrechetFloor) ? null : r.FrechetFloor,
        ["kid_mean"] = r.Kid.Mean,
        ["kid_std"] = r.Kid.Std,
        ["inception_score_analogue"] = r.Scores.InceptionScore,
        ["mean_confidence"] = r.Scores.MeanConfidence,
        ["precision"] = r.Precision,
        ["recall"] = r.Recall,
        ["memorisation"] = r.Memorisation.Summary,
        ["memorisation_likely_copies"] = r.Memorisation.CloserInPixels,
    };
}
