using System.Text.Json;
using RawGan.Backends;
using RawGan.Gan;
using RawGan.Gan.Models;

namespace RawGan.Cli.Serve;

/// <summary>A generator loaded for serving, under its name, with what a client needs to ask it for images.</summary>
internal sealed class ServedModel
{
    private ServedModel(string name, GanGenerator generator, Checkpoint.Info info, IBackend backend)
    {
        Name = name;
        Generator = generator;
        Info = info;
        Backend = backend;
    }

    public string Name { get; }
    public GanGenerator Generator { get; }
    public Checkpoint.Info Info { get; }
    public IBackend Backend { get; }
    public int Nz => Generator.LatentSize;
    /// <summary>Labels a request may give: 0 to Classes - 1; 0 for an unconditional model.</summary>
    public int Classes => Generator.IsConditional ? Info.Classes : 0;
    public int ImageFloats => Info.Channels * Info.ImageSize * Info.ImageSize;

    /// <summary>Loads a run folder's generator.safetensors, or a checkpoint or generator file, its weights held as asked.</summary>
    public static ServedModel Load(string name, string path, IBackend backend, Quantization quantization = Quantization.None)
    {
        string file = Directory.Exists(path) ? Path.Combine(path, "generator.safetensors") : path;
        (GanGenerator g, Checkpoint.Info info) = Sampling.LoadGenerator(file, backend, quantization);
        return new ServedModel(name, g, info, backend);
    }

    /// <summary>The name a --run folder or --checkpoint file is served under: the folder's name or the file's stem.</summary>
    public static string DefaultName(string path) =>
        Directory.Exists(path) ? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(path))) : Path.GetFileNameWithoutExtension(path);

    /// <summary>What GET /models says about this model.</summary>
    public ModelDescription Describe() => new(Name, OptionNames.Name(Info.Config.Model), Info.ImageSize, Info.Channels, Generator.IsConditional, Classes, Nz,
        Backend.Name, Generator.ParameterCount(), JsonSerializer.SerializeToElement(Info.Config, GanConfig.Json));
}

/// <summary>One entry of GET /models.</summary>
/// <param name="Name">The name /generate takes in its "model" field.</param>
/// <param name="Kind">mlp, dcgan, cgan or cdcgan.</param>
/// <param name="ImageSize">Images are ImageSize × ImageSize pixels.</param>
/// <param name="Channels">1 (grey) or 3 (RGB).</param>
/// <param name="Conditional">Whether /generate takes a label.</param>
/// <param name="Classes">Labels run from 0 to Classes - 1 (0 when unconditional).</param>
/// <param name="Nz">Length of each latent vector in "noise".</param>
/// <param name="Device">Where the generator runs.</param>
/// <param name="Parameters">Number of the generator's parameters.</param>
/// <param name="Config">The run's training config.</param>
internal sealed record ModelDescription(string Name, string Kind, int ImageSize, int Channels, bool Conditional, int Classes, int Nz,
                                        string Device, long Parameters, JsonElement Config);
