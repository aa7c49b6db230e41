using System.CommandLine;
using RawGan.Backends;
using RawGan.Gan;
using RawGan.Gan.Models;
using RawGan.IO.Onnx;
using Spectre.Console;

namespace RawGan.Cli.Commands;

/// <summary>`rawgan export`: a run's generator for another runtime (ONNX).</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var command = new Command("export", "Export a trained generator to ONNX (opset 17, dynamic batch).");
        var run = new Option<DirectoryInfo>("--run") { Description = "a run folder (uses its generator.safetensors)" };
        var checkpoint = new Option<FileInfo>("--checkpoint") { Description = "a checkpoint or generator .safetensors file" };
        var onnx = new Option<FileInfo>("--onnx") { Description = "the .onnx file to write", Required = true };
        foreach (Option o in new Option[] { run, checkpoint, onnx }) command.Add(o);
        command.SetAction(p => Program.Guard(() => Run(p.GetValue(run), p.GetValue(checkpoint), p.GetValue(onnx)!)));
        return command;
    }

    private static int Run(DirectoryInfo? run, FileInfo? checkpoint, FileInfo onnx)
    {
        if ((run is null) == (checkpoint is null)) throw new ArgumentException("Give exactly one of --run RUN_DIR or --checkpoint FILE.");
        string path = checkpoint?.FullName ?? Path.Combine(run!.FullName, "generator.safetensors");
        (GanGenerator g, Checkpoint.Info info) = Sampling.LoadGenerator(path, BackendRegistry.Get(RawGan.Tensors.Device.Cpu));
        OnnxExport.Save(onnx.FullName, g, info);
        AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(onnx.FullName)}[/] ({OptionNames.Name(info.Config.Model)}, nz {g.LatentSize}, {info.Channels}×{info.ImageSize}×{info.ImageSize}{(g.IsConditional ? $", {info.Classes} classes" : "")})");
        return 0;
    }
}
