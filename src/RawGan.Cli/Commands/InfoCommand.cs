using System.CommandLine;
using System.Runtime.InteropServices;
using RawGan.Backends;
using RawGan.IO;
using Spectre.Console;

namespace RawGan.Cli.Commands;

/// <summary>`rawgan info`: what this machine offers RawGan (CPU features, CUDA devices and libraries), and with
/// FILE what a checkpoint holds.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var command = new Command("info", "Show the devices RawGan can use, or the contents of a .safetensors file.");
        var file = new Argument<FileInfo?>("file") { Description = "a checkpoint or generator .safetensors file", Arity = ArgumentArity.ZeroOrOne };
        command.Add(file);
        command.SetAction(p => Program.Guard(() => p.GetValue(file) is { } f ? DescribeFile(f) : DescribeMachine()));
        return command;
    }

    private static int DescribeMachine()
    {
        AnsiConsole.MarkupLine($"RawGan on .NET {Environment.Version}, {RuntimeInformation.OSDescription}");
        foreach (string device in BackendRegistry.Describe()) AnsiConsole.WriteLine(device);
        return 0;
    }

    private static int DescribeFile(FileInfo f)
    {
        if (Directory.Exists(f.FullName)) throw new ArgumentException($"{f.FullName} is a folder: info takes a .safetensors file (a run's generator.safetensors, or a checkpoint).");
        if (!f.Exists) throw new FileNotFoundException($"{f.FullName}: no such file.");
        SafeTensorsHeader header = SafeTensors.ReadHeader(f.FullName);
        var table = new Table().AddColumns("tensor", "dtype", "shape");
        foreach (var t in header.Tensors) table.AddRow(Markup.Escape(t.Name), t.DType, Markup.Escape("[" + string.Join(", ", t.Shape) + "]"));
        AnsiConsole.Write(table);
        foreach ((string key, string value) in header.Metadata.Where(m => m.Key != "config"))
            AnsiConsole.MarkupLine($"{Markup.Escape(key)}: {Markup.Escape(value)}");
        if (header.Metadata.TryGetValue("config", out string? config)) AnsiConsole.WriteLine(config);
        return 0;
    }
}
