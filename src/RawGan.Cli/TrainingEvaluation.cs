using RawGan.Backends;
using RawGan.Data;
using RawGan.Eval;
using RawGan.Gan;
using Spectre.Console;

namespace RawGan.Cli;

/// <summary>`rawgan train --eval-every N`: the bundled digit judge on a fixed sample during training (see
/// <see cref="RunJudge"/>) and, with --inception, FID (<see cref="RunInception"/>), with a line and a redrawn eval.png
/// after each evaluation; or, where neither applies, one line saying why training is not evaluated.</summary>
internal static class TrainingEvaluation
{
    /// <summary>The Inception-v3 the config names, loaded before the run folder is made so that a wrong file fails
    /// first; null without one, or with evaluation off.</summary>
    public static InceptionV3? LoadInception(GanConfig config, IBackend backend) =>
        config.Inception is null || config.EvalEvery == 0 ? null : InceptionWeights.Load(config.Inception, backend);

    public static void Attach(TrainingRun run, InceptionV3? inception)
    {
        GanConfig config = run.Trainer.Config;
        int every = config.EvalEvery ?? RunJudge.DefaultEvery;
        if (every == 0) return;
        bool digits = config.Data is null;
        RunInception? fid = inception is null ? null : Fid(run, inception);
        if (!digits && fid is null)
        {
            if (inception is null)
                AnsiConsole.MarkupLine("[grey]Not evaluated while training: the digit judge measures the bundled digits only, and FID needs Inception-v3 " +
                                       "weights (--inception FILE, see `rawgan eval --help`; --eval-every 0 hides this line).[/]");
            return;
        }
        run.EvaluateWith(digits ? new RunJudge(run.Trainer, DigitReference.Statistics()) : null, fid, every);
        string png = Path.Combine(run.Directory, "eval.png");
        run.Evaluated += r =>
        {
            AnsiConsole.MarkupLine(Markup.Escape(Describe(r)));
            try { EvalPlot.Draw(run.EvalPath!, png); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { AnsiConsole.MarkupLine($"[yellow]eval.png not updated: {Markup.Escape(e.Message)}[/]"); }
        };
    }

    /// <summary>FID on the run's data, once its statistics are computed (from the images as they are, without the
    /// run's flips and other augmentations); null, said once, when the data set is too small for FID's covariance.</summary>
    private static RunInception? Fid(TrainingRun run, InceptionV3 inception)
    {
        IDataset data = DataSources.Open(run.Trainer.Config with { Flip = false });
        if (data.Count < InceptionV3.FeatureSize)
        {
            AnsiConsole.MarkupLine($"[grey]No FID while training: its {InceptionV3.FeatureSize}-d covariance needs at least {InceptionV3.FeatureSize:N0} real images, " +
                                   $"and the data holds {data.Count:N0}.[/]");
            return null;
        }
        FeatureStatistics reference = null!;
        int count = Math.Min(RunInception.ReferenceCount, data.Count);
        AnsiConsole.Status().Start("Inception-v3 statistics of the real images", status =>
            reference = RunInception.Reference(data, inception, done => status.Status($"Inception-v3 statistics of the real images: {done:N0} of {count:N0}")));
        return new RunInception(run.Trainer, inception, reference);
    }

    private static string Describe(EvalReport r)
    {
        string fid = r.Fid is { } f ? $"  FID {f:F2}" : "";
        string judge = r.Scores is not { } s ? ""
            : $"  digit judge FD {s.FrechetDistance:F3}{(s.Accuracy is { } a ? $"  class accuracy {a:P1}" : "")}  IS {s.InceptionScore:F2}  confidence {s.MeanConfidence:P1}";
        return $"step {r.Step}:{fid}{judge}" + (r.IsBest ? "  (best so far: checkpoints/best.safetensors)" : "");
    }
}
