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
    public static Command Create()
    {
        var command = new Command("sample", "Generate images from a trained generator.");
        var run = new Option<DirectoryInfo>("--run") { Description = "a run folder (uses its generator.safetensors)" };
        var checkpoint = new Option<FileInfo>("--checkpoint") { Description = "a checkpoint or generator .safetensors file" };
        var count = new Option<int>("--count") { Description = "how many images (default 64)", DefaultValueFactory = _ => 64 };
        var grid = new Option<bool>("--grid") { Description = "write one grid PNG instead of one file per image" };
        var label = new Option<int?>("--label") { Description = "conditional models: the class of every image (default: cycle through the classes)" };
        var seed = new Option<ulong>("--seed") { Description = "seed of the latent codes (default 0)" };
        var output = new Option<DirectoryInfo>("--out") { Description = "output folder (default: samples/ beside the generator)" };
        var batchStats = new Option<bool>("--batch-stats") { Description = "normalise with the batch's statistics instead of BatchNorm's running ones" };
        var interpolate = new Option<bool>("--interpolate") { Description = "walk in a straight line between two latent points" };
        var device = new Option<string>("--device") { Description = "cpu, cuda, cuda:N or auto (default auto)", DefaultValueFactory = _ => "auto" };
        foreach (Option o in new Option[] { run, checkpoint, count, grid, label, seed, output, batchStats, interpolate, device }) command.Add(o);
        command.SetAction(p => Program.Guard(() => Run(p.GetValue(run), p.GetValue(checkpoint), p.GetValue(count), p.GetValue(grid), p.GetValue(label),
            p.GetValue(seed), p.GetValue(output), p.GetValue(batchStats), p.GetValue(interpolate), p.GetValue(device)!)));
        return command;
    }

    private static int Run(DirectoryInfo? run, FileInfo? checkpoint, int count, bool grid, int? label, ulong seed, DirectoryInfo? output,
                           bool batchStats, bool interpolate, string device)
    {
        if ((run is null) == (checkpoint is null)) throw new ArgumentException("Give exactly one of --run RUN_DIR or --checkpoint FILE.");
        if (count <= 0) throw new ArgumentException($"--count must be positive, not {count}.");
        string path = checkpoint?.FullName ?? Path.Combine(run!.FullName, "generator.safetensors");
        IBackend backend = DeviceChoice.Resolve(device);
        (GanGenerator g, Checkpoint.Info info) = Sampling.LoadGenerator(path, backend);
        if (label is { } l && (!g.IsConditional || l < 0 || l >= info.Classes))
            throw new ArgumentException(g.IsConditional ? $"--label {l} is out of range: the model has classes 0 to {info.Classes - 1}." : "--label needs a conditional model (cgan or cdcgan).");

        var rng = new Generator(seed);
        Tensor z = interpolate ? Walk(rng, count, g.LatentSize, backend) : Tensor.Randn(new Shape(count, g.LatentSize), rng, DType.Float32, backend);
        Tensor? labels = g.IsConditional
            ? Tensor.FromSpan<int>(Enumerable.Range(0, count).Select(i => label ?? i % info.Classes).ToArray(), new Shape(count), DType.Int32, backend)
            : null;
        float[] images = Sampling.Generate(g, z, labels, batchStats);

        string dir = output?.FullName ?? Path.Combine(Path.GetDirectoryName(path)!, "samples");
        Directory.CreateDirectory(dir);
        int c = info.Channels, s = info.ImageSize, per = c * s * s;
        if (grid)
        {
            string file = Path.Combine(dir, interpolate ? "interpolation.png" : label is null ? "grid.png" : $"grid-label{label}.png");
            int columns = interpolate ? Math.Min(count, 16) : GridColumns(g.IsConditional, label, info.Classes);
            ImageGrid.Save(file, images, count, c, s, s, columns);
            AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(file)}[/]");
        }
        else
        {
            for (int i = 0; i < count; i++)
                ImageGrid.SaveImage(Path.Combine(dir, $"sample-{i:D4}.png"), images.AsSpan(i * per, per), c, s, s);
            AnsiConsole.MarkupLine($"Wrote {count} images to [bold]{Markup.Escape(dir)}[/]");
        }
        return 0;
    }

    /// <summary>A sample grid's columns: one per class when a conditional model cycles through its classes, else 8.</summary>
    internal static int GridColumns(bool conditional, int? label, int classes) => conditional && label is null ? classes : 8;

    /// <summary>count codes evenly spaced on the segment between two random latent points.</summary>
    private static Tensor Walk(Generator rng, int count, int nz, IBackend backend)
    {
        double[] a = Enumerable.Range(0, nz).Select(_ => rng.NextNormal()).ToArray(), b = Enumerable.Range(0, nz).Select(_ => rng.NextNormal()).ToArray();
        var z = new float[count * nz];
        for (int i = 0; i < count; i++)
        {
            double t = count == 1 ? 0 : i / (double)(count - 1);
            for (int j = 0; j < nz; j++) z[i * nz + j] = (float)((1 - t) * a[j] + t * b[j]);
        }
        return Tensor.FromSpan<float>(z, new Shape(count, nz), DType.Float32, backend);
    }
}
