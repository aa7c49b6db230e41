using System.CommandLine;
using RawGan.Backends;
using RawGan.Data;
using RawGan.Eval;
using RawGan.Gan;
using Spectre.Console;

namespace RawGan.Cli.Commands;

/// <summary>`rawgan train`: a new run from flags and/or a JSON config, or `--resume RUN_DIR`.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var command = new Command("train", "Train a GAN. Without --config, --model or --data: the main job, the conditional DCGAN on the bundled MNIST digits " +
            "tuned for them (--model cdcgan --ngf 32 --ndf 32 --batch-size 32 --ema 0.999 --epochs 13; other flags apply on top); otherwise the defaults below.");
        var configFile = new Option<FileInfo>("--config") { Description = "a JSON file holding any of the options below (flags override it); a key it leaves out takes the default below" };
        var resume = new Option<DirectoryInfo>("--resume") { Description = "continue the run in this folder exactly where its last checkpoint stopped" };
        command.Add(configFile);
        command.Add(resume);
        var options = new ConfigOptions(command);
        command.SetAction(parse => Program.Guard(() => Run(parse, options, parse.GetValue(configFile), parse.GetValue(resume))));
        return command;
    }

    private static int Run(ParseResult parse, ConfigOptions options, FileInfo? configFile, DirectoryInfo? resume)
    {
        if (configFile is not null && resume is not null)
            throw new ArgumentException("--config and --resume cannot be combined: a resumed run keeps the config in its checkpoint.");
        GanConfig? file = null;
        if (configFile is not null)
        {
            if (Directory.Exists(configFile.FullName)) throw new ArgumentException($"--config {configFile.FullName}: a folder, not a JSON file.");
            if (!configFile.Exists) throw new FileNotFoundException($"--config {configFile.FullName}: no such file.");
            file = GanConfig.FromJson(File.ReadAllText(configFile.FullName), configFile.FullName);
        }

        using var signals = new SignalHandler();
        (TrainingRun started, InceptionV3? inception) = resume is null ? Start(options.Resolve(parse, file)) : Continue(resume, parse, options);
        using TrainingRun run = started;
        run.SampleWritten += _ =>
        {
            try { LossPlot.Draw(run.MetricsPath, Path.Combine(run.Directory, "loss.png")); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { AnsiConsole.MarkupLine($"[yellow]loss.png not updated: {Markup.Escape(e.Message)}[/]"); }
        };
        TrainingEvaluation.Attach(run, inception);
        RunOutcome outcome;
        try
        {
            outcome = TrainingView.Show(run, signals.Token);
        }
        catch (Exception e) when (Program.IsDeviceFailure(e))
        {
            // The step that failed saved nothing; a checkpoint on disk is whole (they are written atomically).
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(UserMessages.Of(e))}");
            if (File.Exists(Path.Combine(run.Directory, "checkpoints", "latest.safetensors")))
                AnsiConsole.MarkupLine($"The run's last checkpoint is intact: [bold]rawgan train --resume {Markup.Escape(run.Directory)}[/] continues from it.");
            if (e is OutOfMemoryException)
                AnsiConsole.MarkupLine("A smaller --batch-size (a new run), or a device with more memory, needs less.");
            return ExitCodes.DeviceFailure;
        }
        if (MetricsLog.Read(run.MetricsPath).Count > 0) LossPlot.Draw(run.MetricsPath, Path.Combine(run.Directory, "loss.png"));
        AnsiConsole.MarkupLine($"{outcome}: [bold]{Markup.Escape(run.Directory)}[/] ({Markup.Escape(Contents(run.Directory))})");
        return outcome switch { RunOutcome.Completed => ExitCodes.Done, RunOutcome.Interrupted => signals.ExitCode, _ => ExitCodes.Diverged };
    }

    private static (TrainingRun, InceptionV3?) Start(GanConfig config)
    {
        // The data first: a wrong --data is the likelier mistake, and its error should not follow a device notice.
        IDataset data = Open(config);
        IBackend backend = DeviceChoice.Resolve(config);
        InceptionV3? inception = TrainingEvaluation.LoadInception(config, backend);
        var run = TrainingRun.Create(config, data, backend);
        AnsiConsole.MarkupLine($"Training [bold]{OptionNames.Name(config.Model)}[/] on {Markup.Escape(Describe(config, data))} with {Markup.Escape(DeviceChoice.Describe(backend))}");
        AnsiConsole.MarkupLine($"G {run.Trainer.G.ParameterCount():N0} parameters, D {run.Trainer.D.ParameterCount():N0}; run folder [bold]{Markup.Escape(run.Directory)}[/]");
        return (run, inception);
    }

    private static (TrainingRun, InceptionV3?) Continue(DirectoryInfo dir, ParseResult parse, ConfigOptions options)
    {
        if (!dir.Exists) throw new DirectoryNotFoundException($"--resume {dir.FullName}: no such folder.");
        CheckpointChoice checkpoint = CheckpointSet.Find(dir.FullName);
        if (checkpoint.Notice is not null) AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(checkpoint.Notice)}[/]");
        GanConfig saved = Checkpoint.ReadInfo(checkpoint.Path).Config;
        // Flags typed now apply on top of the run's config, but only those that do not change what is trained.
        GanConfig config = options.Resolve(parse, saved);
        GanConfig scheduleOnly = config with { Epochs = saved.Epochs, Device = saved.Device, Tf32 = saved.Tf32, Precision = saved.Precision, SampleEvery = saved.SampleEvery, CheckpointEvery = saved.CheckpointEvery, LogEvery = saved.LogEvery, OnNan = saved.OnNan, EvalEvery = saved.EvalEvery, Inception = saved.Inception, CudaGraphs = saved.CudaGraphs, ChannelsLast = saved.ChannelsLast };
        if (scheduleOnly != saved)
            throw new ArgumentException("--resume continues a run as it was configured: only --epochs, --device, --precision, --tf32, --sample-every, --checkpoint-every, --log-every, --on-nan, --eval-every, --inception, --cuda-graphs (replays are bit-identical to eager steps) and --channels-last (a layout: results change by rounding only, as with --precision) may change.");
        IDataset data = Open(config);
        IBackend backend = DeviceChoice.Resolve(config);
        InceptionV3? inception = TrainingEvaluation.LoadInception(config, backend);
        var run = TrainingRun.Resume(dir.FullName, data, backend, _ => config, checkpoint.Path);
        AnsiConsole.MarkupLine($"Resuming [bold]{Markup.Escape(run.Directory)}[/] at step {run.Trainer.Step} (epoch {run.Position.Epoch + 1}, batch {run.Position.Batch + 1}) on {Markup.Escape(DeviceChoice.Describe(backend))}");
        return (run, inception);
    }

    private static IDataset Open(GanConfig config)
    {
        IDataset data = DataSources.Open(config);
        if (data is not ImageFolderDataset folder) return data;
        if (folder.SkippedFiles.Count > 0)
            AnsiConsole.MarkupLine($"[yellow]Skipped {folder.SkippedFiles.Count} undecodable file(s), e.g. {Markup.Escape(folder.SkippedFiles[0])} (use --strict to fail instead).[/]");
        // Stray files beside the class folders and empty classes, said once, whatever their number.
        string[] noticed = folder.Warnings.Where(w => !w.StartsWith("skipped ", StringComparison.Ordinal)).ToArray();
        if (noticed.Length > 0)
            AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(noticed[0])}{(noticed.Length > 1 ? $" (and {noticed.Length - 1} more such notice(s))" : "")}[/]");
        folder.FileSkipped += message => AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(message)} The next image stands in for it (use --strict to stop instead).[/]");
        return data;
    }

    /// <summary>What the run folder holds, of what a user looks for in it.</summary>
    private static string Contents(string directory) =>
        string.Join(", ", new[] { "samples/", "metrics.csv", "loss.png", "eval.csv", "eval.png", "checkpoints/latest.safetensors", "checkpoints/best.safetensors", "generator.safetensors" }
            .Where(name => name.EndsWith('/') ? Directory.EnumerateFileSystemEntries(Path.Combine(directory, name)).Any() : File.Exists(Path.Combine(directory, name))));

    private static string Describe(GanConfig config, IDataset data) =>
        $"{config.Data ?? DataSources.BundledName}: {data.Count:N0} images {data.Channels}×{data.Height}×{data.Width}, {data.ClassCount} classes";
}
