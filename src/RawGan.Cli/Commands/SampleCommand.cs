using System.CommandLine;
using RawGan.Backends;
using RawGan.Gan;
using RawGan.Gan.Models;
using RawGan.IO;
using RawGan.Tensors;
using Spectre.Console;

namespace RawGan.Cli.Commands;

/// <summary>`rawgan sample`: images or a grid from a run's generator, optionally of one class or along a latent walk.</summary>
internal static class SampleCommand
{
    /// <summary>The most images one grid PNG holds; a larger --count is split over several grids.</summary>
    public const int MaxGridImages = 1024;

    // Images per generator forward when writing one file per image: memory stays flat whatever --count is.
    private const int FileChunk = 256;

    public static Command Create()
    {
        var command = new Command("sample", "Generate images from a trained generator.");
        var run = new Option<DirectoryInfo>("--run") { Description = "a run folder (uses its generator.safetensors)" };
        var checkpoint = new Option<FileInfo>("--checkpoint") { Description = "a checkpoint or generator .safetensors file" };
        // Nullable options with the default applied below: the parser's "[default: 64]" would repeat "(default 64)".
        var count = new Option<int?>("--count") { Description = "how many images (default 64)" };
        var grid = new Option<bool>("--grid") { Description = $"write grid PNGs (up to {MaxGridImages:N0} images each) instead of one file per image" };
        var label = new Option<int?>("--label") { Description = "conditional models: the class of every image (default: cycle through the classes; 0 with --interpolate)" };
        var seed = new Option<ulong>("--seed") { Description = "seed of the latent codes (default 0)" };
        var output = new Option<DirectoryInfo>("--out") { Description = "output folder, whose files are never overwritten (default: a new sample-N folder beside the generator)" };
        var batchStats = new Option<bool>("--batch-stats") { Description = $"normalise with the statistics of each batch (up to {FileChunk} images, or one grid) instead of BatchNorm's running ones" };
        var interpolate = new Option<bool>("--interpolate") { Description = "walk in a straight line between two latent points" };
        var device = new Option<string?>("--device") { Description = "cpu, cuda, cuda:N or auto (default auto)" };
        var quantize = QuantizeChoice.Create();
        foreach (Option o in new Option[] { run, checkpoint, count, grid, label, seed, output, batchStats, interpolate, device, quantize }) command.Add(o);
        command.SetAction(p => Program.Guard(() => Run(p.GetValue(run), p.GetValue(checkpoint), p.GetValue(count) ?? 64, p.GetValue(grid), p.GetValue(label),
            p.GetValue(seed), p.GetValue(output), p.GetValue(batchStats), p.GetValue(interpolate), p.GetValue(device) ?? "auto", p.GetValue(quantize))));
        return command;
    }

    private static int Run(DirectoryInfo? run, FileInfo? checkpoint, int count, bool grid, int? label, ulong seed, DirectoryInfo? chosen,
                           bool batchStats, bool interpolate, string device, string? quantize)
    {
        if ((run is null) == (checkpoint is null)) throw new ArgumentException("Give exactly one of --run RUN_DIR or --checkpoint FILE.");
        if (count <= 0) throw new ArgumentException($"--count must be positive, not {count}.");
        string path = checkpoint?.FullName ?? Path.Combine(run!.FullName, "generator.safetensors");
        IBackend backend = DeviceChoice.Resolve(device);
        (GanGenerator g, Checkpoint.Info info) = Sampling.LoadGenerator(path, backend, QuantizeChoice.Resolve(quantize, backend));
        if (label is { } l && (!g.IsConditional || l < 0 || l >= info.Classes))
            throw new ArgumentException(g.IsConditional ? $"--label {l} is out of range: the model has classes 0 to {info.Classes - 1}." : "--label needs a conditional model (cgan or cdcgan).");
        if (interpolate && g.IsConditional && label is null)
        {
            // Cycling the class along the walk would change two things at once; a walk is about the latent code.
            label = 0;
            AnsiConsole.MarkupLine("[yellow]--interpolate holds the class fixed along the walk: class 0 (choose another with --label).[/]");
        }

        var rng = new Generator(seed);
        int nz = g.LatentSize;
        float[] z = interpolate ? Walk(rng, count, nz) : Tensor.Randn(new Shape(count, nz), rng, DType.Float32, backend).ToFloatArray();
        int[]? labels = g.IsConditional ? Enumerable.Range(0, count).Select(i => label ?? i % info.Classes).ToArray() : null;
        float[] Generate(int start, int n) => Sampling.Generate(g,
            Tensor.FromSpan<float>(z.AsSpan(start * nz, n * nz), new Shape(n, nz), DType.Float32, backend),
            labels is null ? null : Tensor.FromSpan<int>(labels.AsSpan(start, n), new Shape(n), DType.Int32, backend), batchStats);

        var output = SampleOutput.For(path, chosen);
        int c = info.Channels, s = info.ImageSize, per = c * s * s;
        if (grid)
        {
            int columns = interpolate ? Math.Min(count, 16) : GridColumns(g.IsConditional, label, info.Classes);
            int perGrid = MaxGridImages / columns * columns, grids = (count + perGrid - 1) / perGrid;
            string stem = interpolate ? "interpolation" : label is null ? "grid" : $"grid-label{label}";
            string[] names = grids == 1 ? [$"{stem}.png"] : Enumerable.Range(1, grids).Select(k => $"{stem}-{k.ToString().PadLeft(grids.ToString().Length, '0')}.png").ToArray();
            if (grids > 1)
                AnsiConsole.MarkupLine($"[yellow]--grid: a grid holds at most {perGrid:N0} images, so the {count:N0} are split over {grids} grids ({names[0]} … {names[^1]}).[/]");
            output.Claim(names);
            WithProgress(count, advance =>
            {
                for (int k = 0; k < grids; k++)
                {
                    int start = k * perGrid, n = Math.Min(perGrid, count - start);
                    ImageGrid.Save(Path.Combine(output.Folder, names[k]), Generate(start, n), n, c, s, s, columns);
                    advance(n);
                }
            });
            AnsiConsole.MarkupLine(grids == 1 ? $"Wrote [bold]{Markup.Escape(Path.Combine(output.Folder, names[0]))}[/]" : $"Wrote {grids} grids to [bold]{Markup.Escape(output.Folder)}[/]");
        }
        else
        {
            string[] names = Enumerable.Range(0, count).Select(i => SampleOutput.ImageName(i, count)).ToArray();
            output.Claim(names);
            WithProgress(count, advance =>
            {
                for (int start = 0; start < count; start += FileChunk)
                {
                    int n = Math.Min(FileChunk, count - start);
                    float[] images = Generate(start, n);
                    for (int i = 0; i < n; i++) ImageGrid.SaveImage(Path.Combine(output.Folder, names[start + i]), images.AsSpan(i * per, per), c, s, s);
                    advance(n);
                }
            });
            AnsiConsole.MarkupLine($"Wrote {count} images to [bold]{Markup.Escape(output.Folder)}[/]");
        }
        return 0;
    }

    /// <summary>Runs <paramref name="write"/>, which reports each image it writes, under a progress bar on a
    /// terminal (large counts take minutes); quietly when the output is a log.</summary>
    private static void WithProgress(int count, Action<Action<int>> write)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            write(_ => { });
            return;
        }
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                ProgressTask task = ctx.AddTask($"{count:N0} images", maxValue: count);
                write(n => task.Increment(n));
            });
    }

    /// <summary>A sample grid's columns: one per class when a conditional model cycles through its classes, else 8.</summary>
    internal static int GridColumns(bool conditional, int? label, int classes) => conditional && label is null ? classes : 8;

    /// <summary>count codes evenly spaced on the segment between two random latent points.</summary>
    private static float[] Walk(Generator rng, int count, int nz)
    {
        double[] a = Enumerable.Range(0, nz).Select(_ => rng.NextNormal()).ToArray(), b = Enumerable.Range(0, nz).Select(_ => rng.NextNormal()).ToArray();
        var z = new float[count * nz];
        for (int i = 0; i < count; i++)
        {
            double t = count == 1 ? 0 : i / (double)(count - 1);
            for (int j = 0; j < nz; j++) z[i * nz + j] = (float)((1 - t) * a[j] + t * b[j]);
        }
        return z;
    }
}
