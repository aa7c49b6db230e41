using RawGan.Autograd;
using RawGan.Backends;
using RawGan.Gan.Models;
using RawGan.IO;
using RawGan.Nn;
using RawGan.Tensors;

namespace RawGan.Gan;

/// <summary>Images from a generator, and generators from files (a checkpoint or generator.safetensors).</summary>
public static class Sampling
{
    /// <summary>
    /// Images [N, C, H, W] in [-1, 1] as floats, without gradients. By default G runs in eval mode, so BatchNorm uses
    /// its running statistics and a batch of a single class comes out right (the published MNIST CGAN sampled with
    /// batch statistics and could only produce mixed-class batches); <paramref name="batchStatistics"/> restores that.
    /// </summary>
    public static float[] Generate(GanGenerator g, Tensor z, Tensor? labels, bool batchStatistics = false) =>
        InEvalMode(g, batchStatistics, () =>
        {
            using var scope = new TensorScope();
            return g.Generate(z, labels).ToFloatArray();
        });

    /// <summary>Runs <paramref name="body"/> with G in eval mode (BatchNorm on its running statistics unless
    /// <paramref name="batchStatistics"/>) and without gradients, then puts G back as it was.</summary>
    public static T InEvalMode<T>(GanGenerator g, bool batchStatistics, Func<T> body)
    {
        bool wasTraining = g.Training;
        BatchNorm[] norms = g.Modules().OfType<BatchNorm>().ToArray();
        g.Eval();
        foreach (BatchNorm bn in norms) bn.BatchStatisticsInEval = batchStatistics;
        try
        {
            using var grad = GradMode.NoGrad();
            return body();
        }
        finally
        {
            foreach (BatchNorm bn in norms) bn.BatchStatisticsInEval = false;
            g.Train(wasTraining);
        }
    }

    /// <summary>Loads the generator stored in a checkpoint (the EMA generator's "G_ema." names when the run kept one,
    /// else "G.") or a generator file (plain names), prepared for inference (<see cref="GanGenerator.PrepareInference"/>:
    /// BatchNorm folded, activations fused, weights quantised if asked).</summary>
    public static (GanGenerator G, Checkpoint.Info Info) LoadGenerator(string path, IBackend backend, Quantization quantization = Quantization.None)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No checkpoint at {path}.", path);
        Checkpoint.Info info = Checkpoint.ReadInfo(path, generatorOnly: true);
        SafeTensorsFile file = SafeTensors.Read(path);
        GanGenerator g = info.Config.Recipe.CreateGenerator(info.Config, info.Channels, info.ImageSize, info.Classes);
        string section = new[] { Checkpoint.AverageSection, "G." }.FirstOrDefault(p => file.Tensors.Any(t => t.Name.StartsWith(p, StringComparison.Ordinal))) ?? "";
        g.LoadStateDict(Checkpoint.Section(file, section));
        g.To(backend);
        g.PrepareInference(quantization);
        return (g, info);
    }
}
