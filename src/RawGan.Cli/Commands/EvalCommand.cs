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

/// <summary>`rawgan eval` (see README, "Evaluating a run"): a generator's digits (--run, --checkpoint) by the bundled
/// digit judge, and by Inception-v3 when weights are given; or a folder of images (--images) against another folder
/// or an .npz of feature statistics (--against), by Inception-v3 when weights are given (or the .npz is 2048-d),
/// else by the digit judge, which without --against compares the folder with the bundled digits.</summary>
internal static class EvalCommand
{
    private const string FeatureSpace = "the bundled digit judge's 128-d features (not Inception-v3: numbers not comparable with papers' FID)";

    /// <summary>Images per batch through Inception-v3 unless --batch-size says: its 299×299 activations are large.</summary>
    private const int InceptionBatch = 50;

    private sealed record Settings(int? Count, ulong Seed, int BatchSize, int InceptionBatchSize, IBackend Backend, string? Out, string? SaveStats,
                                   string? Inception, InceptionResize Resize, Quantization Quantization, ResizeMode DigitResize)
    {
        public string InceptionSpace => $"Inception-v3 pool3 (2048-d, {OptionNames.Name(Resize)} resize)";
    }

    public static Command Create()
    {
        var command = new Command("eval", "Measure generated digits with the bundled digit judge: class accuracy, Fréchet distance, IS, KID, precision/recall, memorisation.");
        var run = new Option<DirectoryInfo>("--run") { Description = "a run folder (uses its generator.safetensors)" };
        var checkpoint = new Option<FileInfo>("--checkpoint") { Description = "a checkpoint or generator .safetensors file" };
        var images = new Option<DirectoryInfo>("--images") { Description = "a folder of generated images to judge instead of a generator (sizes may mix: Inception reads them at the first image's size, the digit judge gray at 28×28)" };
        var against = new Option<string>("--against") { Description = "with --images: a folder of real images, or an .npz of feature statistics (mu, sigma; pytorch-fid's format): 2048-d Inception-v3 ones, or the digit judge's 128-d (default without --inception: the bundled digits)" };
        var saveStats = new Option<FileInfo>("--save-stats") { Description = "write the --images folder's feature statistics to this .npz (pytorch-fid's format; Inception-v3's with --inception), to use later with --against" };
        var count = new Option<int?>("--count") { Description = "samples to generate (default 2000), or at most this many images of each folder (default all)" };
        var seed = new Option<ulong>("--seed") { Description = "seed of the latent codes (default 0)" };
        var batchSize = new Option<int?>("--batch-size") { Description = $"images per batch through the generator and the feature network (default 500; {InceptionBatch} through Inception-v3)" };
        var device = new Option<string?>("--device") { Description = "cpu, cuda, cuda:N or auto (default auto)" };
        var inception = new Option<string>("--inception") { Description = $"FID Inception-v3 weights (.safetensors, from tools/inception/convert.py) for FID, KID, IS and precision/recall (default ${InceptionWeights.EnvironmentVariable})" };
        var digitResize = new Option<string?>("--resize") { Description = $"with --images, how the digit judge brings each image to its 28×28: {OptionNames.Accepted<ResizeMode>()} (default crop, as training reads folders; pad cuts out the centre unresampled, for samples of a run trained with --resize pad)" };
        var resize = new Option<string?>("--inception-resize") { Description = $"{OptionNames.Accepted<InceptionResize>()}: pytorch-fid's or clean-fid's resize to 299 (default legacy)" };
        var output = new Option<DirectoryInfo>("--out") { Description = "folder for eval.json and memorisation.png (default: the run's or checkpoint's folder; the current folder for --images)" };
        var quantize = QuantizeChoice.Create();
        foreach (Option o in new Option[] { run, checkpoint, images, against, saveStats, count, seed, batchSize, device, output, inception, resize, digitResize, quantize }) command.Add(o);
        command.SetAction(p => Program.Guard(() =>
        {
            int sources = new object?[] { p.GetValue(run), p.GetValue(checkpoint), p.GetValue(images) }.Count(o => o is not null);
            if (sources != 1) throw new ArgumentException("Give exactly one of --run RUN_DIR, --checkpoint FILE or --images FOLDER.");
            int size = p.GetValue(batchSize) ?? 500;
            if (size <= 0) throw new ArgumentException($"--batch-size must be positive, not {size}.");
            if (p.GetValue(count) is <= 0) throw new ArgumentException($"--count must be positive, not {p.GetValue(count)}.");
            InceptionResize inceptionResize = OptionNames.Parse<InceptionResize>("--inception-resize", p.GetValue(resize) ?? "legacy");
            ResizeMode digitResizeMode = OptionNames.Parse<ResizeMode>("--resize", p.GetValue(digitResize) ?? "crop");
            if (p.GetValue(digitResize) is not null && p.GetValue(images) is null)
                throw new ArgumentException("--resize goes with --images; a generator's samples are brought to 28×28 as its run's config says.");
            string? weights = InceptionWeights.Locate(p.GetValue(inception));
            IBackend backend = DeviceChoice.Resolve(p.GetValue(device) ?? "auto");
            var settings = new Settings(p.GetValue(count), p.GetValue(seed), size, p.GetValue(batchSize) ?? InceptionBatch,
                                        backend, p.GetValue(output)?.FullName, p.GetValue(saveStats)?.FullName, weights, inceptionResize,
                                        QuantizeChoice.Resolve(p.GetValue(quantize), backend), digitResizeMode);
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
            throw new ArgumentException($"{path} was not trained on the bundled digits; the digit judge measures digits only (save samples with `rawgan sample` and compare folders: `rawgan eval --images SAMPLES --against REAL --inception FILE`).");
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
                    DigitJudge.ImageSize, s.Resize, s.InceptionBatchSize, progress: m => status.Status(m));
        });
        if (fid is null) AnsiConsole.MarkupLine($"[grey]{Markup.Escape(InceptionWeights.HowToGet)}[/]");
        else PrintInception(fid, s, $"{count} samples vs as many bundled digits");
        Finish(s.Out ?? Path.GetDirectoryName(path)!, result, samples, reference, "the first 2,000 bundled digits",
            new() { ["generator"] = path, ["count"] = count, ["seed"] = s.Seed, ["inception"] = InceptionJson(fid) });
        return 0;
    }

    /// <summary>A folder of images against a folder of real ones (every metric) or an .npz (FID or the Fréchet
    /// distance, and IS), in Inception-v3's feature space when weights are given or the .npz is 2048-d, else the
    /// digit judge's.</summary>
    private static int Folder(string folder, string? against, Settings s)
    {
        if (against is null && s.SaveStats is null && s.Inception is not null)
            throw new ArgumentException("--images with --inception needs --against REAL_FOLDER|STATS.npz (or --save-stats FILE.npz to only write its statistics); without --inception the digit judge compares the folder with the bundled digits.");
        FeatureStatistics? stats = against is not null && against.EndsWith(".npz", StringComparison.OrdinalIgnoreCase) ? NpzStatistics.Read(against) : null;
        bool inception = stats is null ? s.Inception is not null : stats.Dimension == InceptionV3.FeatureSize;
        if (inception && s.Inception is null)
            throw new ArgumentException($"{against} holds 2048-d statistics, Inception-v3's pool3, and no Inception-v3 weights were given. {InceptionWeights.HowToGet}");
        if (stats is not null && !inception && stats.Dimension != DigitJudge.FeatureSize)
            throw new ArgumentException($"{against} holds {stats.Dimension}-d statistics; RawGan compares Inception-v3's 2048-d ones (pytorch-fid's, or written by " +
                                        "`rawgan eval --images REAL --save-stats FILE --inception WEIGHTS`) or the digit judge's 128-d ones (written without --inception).");
        return inception ? InceptionFolders(folder, against, stats, s) : JudgeFolders(folder, against, stats, s);
    }

    /// <summary><see cref="Folder"/> by the digit judge: every image made gray and 28×28, compared with a folder, an
    /// .npz or (neither given, nor --save-stats) the bundled digits, as a generator's samples are.</summary>
    private static int JudgeFolders(string folder, string? against, FeatureStatistics? stats, Settings s)
    {
        ImageSet samples = null!;
        float[] real = [];
        string realName = "the first 2,000 bundled digits";
        object? result = null;
        bool bundled = against is null && s.SaveStats is null;
        AnsiConsole.Status().Start($"reading {folder}", status =>
        {
            samples = ImageSet.FromFolder(folder, s.Count, s.DigitResize);
            if (against is null && !bundled) return;
            FrechetDistance.RequireEnough(samples.Count, DigitJudge.FeatureSize, $"--images {folder}");
            var judge = DigitJudge.LoadEmbedded(s.Backend);
            if (bundled)
            {
                (real, float[] heldOut) = DigitReference.BundledDigits();
                result = DigitEvaluation.Run(judge, samples.Pixels, null, real, heldOut, progress: m => status.Status(m));
                return;
            }
            if (stats is not null)
            {
                status.Status($"judging {samples.Count} images");
                result = DigitScores.Compute(judge.Judge(samples.Pixels, samples.Count, s.BatchSize), stats);
                return;
            }
            status.Status($"reading {against}");
            ImageSet realSet = ImageSet.FromFolder(against!, s.Count, s.DigitResize);
            FrechetDistance.RequireEnough(realSet.Count, DigitJudge.FeatureSize, $"--against {against}");
            (real, realName) = (realSet.Pixels, $"the first {Math.Min(2000, realSet.Count):N0} images of {against}");
            result = DigitEvaluation.Run(judge, samples.Pixels, null, real, null, progress: m => status.Status(m));
        });
        if (stats is null && (against is not null || bundled)) AnsiConsole.MarkupLine($"[grey]{Markup.Escape(InceptionWeights.HowToGet)}[/]");
        string output = s.Out ?? Directory.GetCurrentDirectory();
        var source = new Dictionary<string, object?> { ["images"] = folder, ["against"] = against ?? (bundled ? "bundled digits" : null), ["count"] = samples.Count };
        if (stats is null) source["inception"] = InceptionJson(null);
        switch (result)
        {
            case DigitEvaluation full:
                Finish(output, full, samples.Pixels, real, realName, source);
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

    /// <summary><see cref="Folder"/> by Inception-v3: FID, KID, IS and precision/recall in pool3 space, and the
    /// memorisation check in pool3 space and in pixels (32×32 RGB copies).</summary>
    private static int InceptionFolders(string folder, string? against, FeatureStatistics? stats, Settings s)
    {
        const int MemorisationReference = 2000;
        (ImageFolderDataset images, int count) = InceptionFolder.Open(folder, s.Count);
        // FID against an .npz, and statistics to save, need a full-rank covariance; two folders smaller than that
        // (a small data set's memorisation check) get every number but FID.
        if (stats is not null || s.SaveStats is not null)
            FrechetDistance.RequireEnough(count, InceptionV3.FeatureSize, $"--images {folder} through Inception-v3");
        (ImageFolderDataset Data, int Count)? real = null;
        if (against is not null && stats is null)
        {
            real = InceptionFolder.Open(against, s.Count);
            RequireAtLeast(count, 10, $"--images {folder}", "the Inception Score's 10 splits");
            RequireAtLeast(real.Value.Count, 4, $"--against {against}", "precision and recall's 3 nearest neighbours");
        }
        InceptionV3 net = InceptionWeights.Load(s.Inception!, s.Backend);
        InceptionFolder samples = null!;
        InceptionFolder? truth = null;
        InceptionEvaluation? result = null;
        MemorisationReport? memorisation = null;
        AnsiConsole.Status().Start($"reading {folder}", status =>
        {
            samples = InceptionFolder.Judge(images, count, net, s.Resize, s.InceptionBatchSize, m => status.Status(m));
            if (real is { } r) truth = InceptionFolder.Judge(r.Data, r.Count, net, s.Resize, s.InceptionBatchSize, m => status.Status(m));
            status.Status("FID, KID, IS, precision and recall");
            if (truth is not null) result = InceptionEvaluation.Compare(samples.Judged, truth.Judged, s.Resize);
            else if (stats is not null) result = InceptionEvaluation.Compare(samples.Judged, stats, s.Resize);
            if (truth is null) return;
            status.Status("memorisation check");
            memorisation = MemorisationReport.Check(samples.Thumbnails, samples.Judged.Features, truth.Thumbnails, truth.Judged.Features, MemorisationReference);
        });
        string output = s.Out ?? Directory.GetCurrentDirectory();
        if (result is not null)
        {
            PrintInception(result, s, $"{count:N0} images of {folder} vs {(truth is null ? against : $"{truth.Judged.Count:N0} of {against}")}");
            var json = new Dictionary<string, object?>
            {
                ["images"] = folder, ["against"] = against, ["count"] = count, ["feature_network"] = "inception-v3-fid",
                ["feature_space"] = s.InceptionSpace, ["inception"] = InceptionJson(result),
            };
            if (memorisation is not null)
            {
                AnsiConsole.MarkupLine(Markup.Escape($"{memorisation.Summary} (against the first {Math.Min(MemorisationReference, truth!.Judged.Count):N0} images of {against})."));
                Directory.CreateDirectory(output);
                string pairs = Path.Combine(output, "memorisation.png");
                memorisation.SavePairs(pairs, samples.Thumbnails, truth.Thumbnails, 3, InceptionFolder.ThumbnailSide, InceptionFolder.ThumbnailSide);
                AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(pairs)}[/] (each sample nearest a real image in pixels, beside that image; closest first)");
                json["memorisation"] = memorisation.Summary;
                json["memorisation_likely_copies"] = memorisation.CloserInPixels;
            }
            WriteJson(output, json);
        }
        if (s.SaveStats is not null) WriteStatistics(s.SaveStats, FeatureStatistics.From(samples.Judged.Features), s.InceptionSpace);
        return 0;
    }

    private static void RequireAtLeast(int count, int needed, string what, string why)
    {
        if (count < needed) throw new ArgumentException($"{what}: {count} images are too few; {why} need at least {needed}.");
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
        WriteStatistics(path, FeatureStatistics.From(judged.Features), FeatureSpace);
    }

    private static void WriteStatistics(string path, FeatureStatistics statistics, string space)
    {
        NpzStatistics.Write(path, statistics);
        AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(path)}[/]: mu and sigma of {statistics.Count:N0} images in {Markup.Escape(space)}");
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
            output.AddRange(DigitScores.ToJudgeInput(Sampling.Generate(g, z, l), n, info.Channels, info.ImageSize, info.ImageSize, info.Config.Resize));
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

    /// <summary>The Inception-v3 numbers of <paramref name="what"/>; those that need real features are left out
    /// against an .npz.</summary>
    private static void PrintInception(InceptionEvaluation e, Settings s, string what)
    {
        var table = new Table().AddColumn($"metric (Inception-v3, {OptionNames.Name(e.Resize)} resize)").AddColumn(new TableColumn("value").RightAligned());
        table.AddRow("FID", e.Fid is { } fid ? $"{fid:F3}" : $"needs {InceptionV3.FeatureSize:N0} images in each set");
        if (e.Kid is { } kid) table.AddRow("KID", $"{kid.Mean:G4} ± {kid.Std:G3}");
        table.AddRow("IS", $"{e.InceptionScore:F2} ± {e.InceptionScoreStd:F2}");
        if (e.Precision is { } precision) table.AddRow("precision / recall (k = 3)", $"{precision:F3} / {e.Recall:F3}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape($"{what}; feature space: {s.InceptionSpace}.")}[/]");
    }

    private static object InceptionJson(InceptionEvaluation? e) => e is null ? new Dictionary<string, object?> { ["missing"] = InceptionWeights.HowToGet }
        : new Dictionary<string, object?>
        {
            ["resize"] = OptionNames.Name(e.Resize), ["fid"] = e.Fid, ["kid_mean"] = e.Kid?.Mean, ["kid_std"] = e.Kid?.Std,
            ["inception_score"] = e.InceptionScore, ["inception_score_std"] = e.InceptionScoreStd, ["precision"] = e.Precision, ["recall"] = e.Recall,
        };

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
