using RawGan.Backends.Cpu;
using RawGan.Gan;
using RawGan.Gan.Models;
using RawGan.Tensors;

namespace RawGan.Bench;

/// <summary>
/// Generator inference on the CPU, the latency a service feels: the DCGAN-64 generator (nz 100, ngf 64, RGB) in
/// eval mode at batch 1 and 16, p50 of many forwards after warm-up, eager (module by module, as `rawgan sample`
/// ran before the inference plan) and through <see cref="InferencePlan"/> (BatchNorm folded, fused epilogues).
/// tools/peer/gen_infer.py prints the same lines for PyTorch.
/// </summary>
internal static class InferBench
{
    public static int Run(string[] args)
    {
        int[] batches = args.Length > 0 ? [.. args.Select(int.Parse)] : [1, 16];
        var config = new GanConfig { Model = ModelKind.Dcgan };
        GanGenerator g = config.Recipe.CreateGenerator(config, 3, 64, 1);
        Randomise(g);
        Console.WriteLine($"# rawgan infer: DCGAN-64 generator, {CpuBackend.Default.Name}");
        GanGenerator folded = config.Recipe.CreateGenerator(config, 3, 64, 1);
        folded.LoadStateDict(g.StateDict().ToDictionary(e => e.Name, e => e.Value));
        folded.PrepareInference();
        foreach (int n in batches)
        {
            Tensor z = Tensor.Randn(new Shape(n, config.Nz), new Generator(7));
            float[] a = Sampling.Generate(g, z, null), b = Sampling.Generate(folded, z, null);
            Console.WriteLine($"# batch {n}: folded vs eager max |difference| {a.Zip(b, (x, y) => Math.Abs(x - y)).Max():G3}");
            // Interleaved, so both paths see the same load on a shared machine.
            for (int round = 0; round < 2; round++)
            {
                Report("eager", n, () => Sampling.Generate(g, z, null));
                Report("folded", n, () => Sampling.Generate(folded, z, null));
            }
        }
        return 0;
    }

    private static void Report(string path, int batch, Action body)
    {
        double seconds = Timing.Median(body, budgetSeconds: batch == 1 ? 2 : 4, minRuns: 11, maxRuns: 400);
        Console.WriteLine($"infer dcgan64 batch {batch} rawgan {path}: p50 {seconds * 1e3:F2} ms  {batch / seconds:F1} images/s");
    }

    /// <summary>Running statistics away from 0 and 1, so folding them is exercised as with a trained generator.</summary>
    private static void Randomise(GanGenerator g)
    {
        var rng = new Generator(3);
        foreach (var (name, t) in g.NamedBuffers())
        {
            Tensor? value = name.EndsWith("running_mean", StringComparison.Ordinal) ? Tensor.Randn(t.Shape, rng, std: 0.1)
                : name.EndsWith("running_var", StringComparison.Ordinal) ? Tensor.Rand(t.Shape, rng, low: 0.5, high: 1.5) : null;
            if (value is not null) t.Backend.Copy(value, t);
        }
    }
}
