using System.Diagnostics;
using RawGan.Gan;
using Spectre.Console;

namespace RawGan.Cli;

/// <summary>Shows a run's progress: a live display laid out for the terminal's width (<see cref="ProgressLayout"/>)
/// on a terminal, plain lines every few seconds when the output is redirected (CI logs, files).</summary>
internal static class TrainingView
{
    // Redrawing on every step would cost a small model more than its steps.
    private static readonly TimeSpan Redraw = TimeSpan.FromMilliseconds(100), LogEvery = TimeSpan.FromSeconds(5);

    public static RunOutcome Show(TrainingRun run, CancellationToken cancellation)
    {
        GanConfig config = run.Trainer.Config;
        long totalSteps = (long)config.Epochs * run.Loader.BatchesPerEpoch, startStep = run.Trainer.Step;
        var clock = Stopwatch.StartNew();
        TimeSpan? last = null;
        TimeSpan? Eta(StepReport r) => ProgressLayout.Eta(clock.Elapsed, startStep, r.Step, totalSteps);
        bool Due(StepReport r, TimeSpan every)
        {
            // The first step, each epoch's last and the run's last are always shown; the rest at most every `every`.
            if (last is { } shown && clock.Elapsed - shown < every && r.Step != totalSteps && r.Batch + 1 != r.BatchesPerEpoch) return false;
            last = clock.Elapsed;
            return true;
        }

        run.Notice += message => AnsiConsole.Write(new WholeLine(UserMessages.Clean(message), new Style(Color.Yellow)));
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            run.StepCompleted += r =>
            {
                if (Due(r, LogEvery)) Console.WriteLine(ProgressLayout.Line(r, config.Epochs, totalSteps, Eta(r)));
            };
            return run.Run(cancellation);
        }

        RunOutcome outcome = RunOutcome.Completed;
        AnsiConsole.Live(new Text($"starting at step {startStep:N0} of {totalSteps:N0}"))
            .AutoClear(false)
            .Start(live =>
            {
                run.StepCompleted += r =>
                {
                    if (!Due(r, Redraw)) return;
                    // The width is read at each redraw, so a resized terminal gets a new layout.
                    var lines = ProgressLayout.Lines(r, config.Epochs, totalSteps, Eta(r), AnsiConsole.Profile.Width);
                    live.UpdateTarget(new Text(string.Join('\n', lines)));
                };
                outcome = run.Run(cancellation);
            });
        return outcome;
    }
}
