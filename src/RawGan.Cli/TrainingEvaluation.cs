using RawGan.Gan;
using Spectre.Console;

namespace RawGan.Cli;

/// <summary>`rawgan train --eval-every N`: the bundled digit judge on a fixed sample during training (see
/// <see cref="RunJudge"/>), with a line and a redrawn eval.png after each evaluation; or, where the judge does not
/// apply, one line saying why training is not evaluated.</summary>
internal static class TrainingEvaluation
{
    public static void Attach(TrainingRun run)
    {
        GanConfig config = run.Trainer.Config;
        int every = config.EvalEvery ?? RunJudge.DefaultEvery;
        if (every == 0) return;
        if (config.Data is not null)
        {
            AnsiConsole.MarkupLine("[grey]Not evaluated while training: the digit judge measures the bundled digits only, and training does not take " +
                                   "Inception-v3 weights for FID yet (`rawgan eval` measures a finished run; --eval-every 0 hides this line).[/]");
            return;
        }
        run.EvaluateWith(new RunJudge(run.Trainer, DigitReference.Statistics(run.Trainer.Backend)), every);
        string png = Path.Combine(run.Directory, "eval.png");
        run.Evaluated += r =>
        {
            AnsiConsole.MarkupLine(Markup.Escape(Describe(r)));
            try { EvalPlot.Draw(run.EvalPath!, png); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { AnsiConsole.MarkupLine($"[yellow]eval.png not updated: {Markup.Escape(e.Message)}[/]"); }
        };
    }

    private static string Describe(EvalReport r)
    {
        string accuracy = r.Scores.Accuracy is { } a ? $"  class accuracy {a:P1}" : "";
        return $"step {r.Step}: digit judge FD {r.Scores.FrechetDistance:F3}{accuracy}  IS {r.Scores.InceptionScore:F2}  confidence {r.Scores.MeanConfidence:P1}" +
               (r.IsBest ? "  (best so far: checkpoints/best.safetensors)" : "");
    }
}
