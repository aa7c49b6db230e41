using RawGan.Backends.Cpu;
using RawGan.Gan;
using RawGan.Tensors;

namespace RawGan.Tests.Serve;

/// <summary>Generator files of tiny models, trained one step so BatchNorm's running statistics are not the identity.</summary>
internal static class TinyGenerators
{
    /// <summary>Writes generator.safetensors of <paramref name="model"/> into <paramref name="dir"/>; returns the file.</summary>
    public static string Write(string dir, string model, string variant = "pytorch", int channels = 1, int size = 8, int classes = 0, int nz = 8)
    {
        var config = new GanConfig { Model = OptionNames.Parse<ModelKind>("model", model), Variant = OptionNames.Parse<RawGan.Gan.Models.DcganVariant>("variant", variant), Nz = nz, Ngf = 4, Ndf = 4, BatchSize = 4, Seed = 5 };
        var trainer = new GanTrainer(config, channels, size, Math.Max(classes, 1), CpuBackend.Default);
        Tensor real = Tensor.Rand(new Shape(4, channels, size, size), new Generator(9), low: -1, high: 1);
        trainer.TrainStep(real, classes > 0 ? Tensor.FromArray(new[] { 0, 1, 2, 1 }, new Shape(4)) : null);
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "generator.safetensors");
        Checkpoint.SaveGenerator(path, trainer);
        return path;
    }
}
