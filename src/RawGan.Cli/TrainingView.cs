using System.Diagnostics;
using RawGan.Gan;
using Spectre.Console;

namespace RawGan.Cli;

/// <summary>Shows a run's progress: a live bar (epoch, step, losses, images/s, ETA) on a terminal, plain lines
/// every few seconds when the output is redirected (CI logs, files).</summary>
internal static class TrainingView
{
    public static RunOutcome Show(TrainingRun run, CancellationToken cancellation)
    {
        GanConfig config = run.Trainer.Config;
        long totalSteps = (long)config.Epochs * run.Loader.BatchesPerEpoch;
        run.Notice += message => AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(message)}[/]");
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
            return Plain(run, totalSteps, cancellation);

        RunOutcome outcome = RunOutcome.Completed;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                ProgressTask task = ctx.AddTask("starting", maxValue: totalSteps);
                task.Value = run.Trainer.Step;
                run.StepCompleted += r =>
                {
                    task.Value = r.Step;
                    task.Description = Markup.Escape(Describe(r, config.Epochs));
                };
                outcome = run.Run(cancellation);
            });
        return outcome;
    }

    private static RunOutcome Plain(TrainingRun run, long totalSteps, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        TimeSpan last = TimeSpan.Zero;
        long startStep = run.Trainer.Step;
        run.StepCompleted += r =>
        {
            if (clock.Elapsed - last < TimeSpan.FromSeconds(5) && r.Batch + 1 != r.BatchesPerEpoch) return;
            last = clock.Elapsed;
            double perStep = clock.Elapsed.TotalSeconds / Math.Max(1, r.Step - startStep);
            TimeSpan eta = TimeSpan.FromSeconds(perStep * (totalSteps - r.Step));
            Console.WriteLine($"{Describe(r, run.Trainer.Config.Epochs)}  step {r.Step}/{totalSteps}  eta {eta:hh\\:mm\\:ss}");
        };
        return run.Run(cancellation);
    }

    // The metrics are those of the last read window (every --log-every steps), so they lag the step count a little.
    private static string Describe(StepReport r, int epochs)
    {
        string where = $"epoch {r.Epoch + 1}/{epochs} batch {r.Batch + 1}/{r.BatchesPerEpoch}";
        if (r.Metrics is not StepMetrics m) return where;
        return $"{where}  D {m.DLoss:F3}  G {m.GLoss:F3}  D(x) {m.DReal:F2}  D(G(z)) {m.DFake:F2}  {r.ImagesPerSecond:F0} img/s";
    }
}
