using System.Diagnostics;
using RawGan.Backends.Cpu;
using RawGan.Gan;
using RawGan.Gan.Models;
using RawGan.IO;
using RawGan.Tensors;

namespace RawGan.Bench;

/// <summary>
/// Generator inference on the CPU, the latency a service feels: the DCGAN-64 generator (nz 100, ngf 64, RGB) in
/// eval mode at batch 1 and 16, p50 of many forwards after warm-up, eager (module by module, as `rawgan sample`
/// ran before the inference plan) and through <see cref="InferencePlan"/> (BatchNorm folded, fused epilogues).
/// tools/peer/gen_infer.py prints the same lines for PyTorch. `infer quantize` measures what quantised weights
/// would cost in quality: int8 per output channel (symmetric, scale max|w|/127) and bf16 (round to nearest even),
/// applied to a copy's weights and run in float32 (the numerics of a float32-activation kernel on such weights),
/// against the float32 images of the same noise.
/// </summary>
internal static class InferBench
{
    public static int Run(string[] args)
    {
        if (args is ["quantize"]) return Quantize();
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
        // What a server adds per image after the forward: one PNG, as /generate's png format encodes it.
        float[] image = Sampling.Generate(folded, Tensor.Randn(new Shape(1, config.Nz), new Generator(5)), null);
        Report("png encode", 1, () => ImageGrid.EncodePng(image, 1, 3, 64, 64));
        return 0;
    }

    private static int Quantize()
    {
        var config = new GanConfig { Model = ModelKind.Dcgan };
        GanGenerator g = config.Recipe.CreateGenerator(config, 3, 64, 1);
        Randomise(g);
        g.PrepareInference();
        Tensor z = Tensor.Randn(new Shape(64, config.Nz), new Generator(11));
        float[] reference = Sampling.Generate(g, z, null);
        Console.WriteLine("# rawgan infer quantize: DCGAN-64 generator, 64 images, |difference| to float32 weights on [-1, 1]," +
                          " and the share of 8-bit pixel values that change");
        foreach ((string name, Func<float[], int, int, float[]> quantise) in new (string, Func<float[], int, int, float[]>)[] { ("int8", Int8), ("bf16", Bf16) })
        {
            GanGenerator q = config.Recipe.CreateGenerator(config, 3, 64, 1);
            var state = g.StateDict().ToDictionary(e => e.Name, e => e.Value);
            foreach (var (key, t) in g.StateDict())
                if (key.EndsWith("weight", StringComparison.Ordinal) && t.Rank == 4)
                    state[key] = Tensor.FromArray(quantise(t.ToFloatArray(), t.Shape[1], t.Shape[2] * t.Shape[3]), t.Shape); // [in, out, k, k]
            q.LoadStateDict(state);
            q.PrepareInference();
            float[] images = Sampling.Generate(q, z, null);
            double max = 0, sum = 0;
            long changed = 0;
            for (int i = 0; i < images.Length; i++)
            {
                double d = Math.Abs(images[i] - reference[i]);
                max = Math.Max(max, d);
                sum += d;
                if (Pixel(images[i]) != Pixel(reference[i])) changed++;
            }
            Console.WriteLine($"quantize dcgan64 {name} weights: max |difference| {max:G3}  mean {sum / images.Length:G3}  " +
                              $"pixels changed {100.0 * changed / images.Length:F2}%");
        }
        return 0;
    }

    private static int Pixel(float v) => (int)Math.Round((Math.Clamp(v, -1f, 1f) + 1) / 2 * 255);

    /// <summary>Symmetric int8 per output channel of a [in, out, inner] weight, returned dequantised.</summary>
    private static float[] Int8(float[] w, int outputs, int inner)
    {
        var scale = new float[outputs];
        for (int e = 0; e < w.Length; e++) scale[e / inner % outputs] = Math.Max(scale[e / inner % outputs], Math.Abs(w[e]) / 127);
        return [.. w.Select((v, e) => scale[e / inner % outputs] is var s && s > 0 ? MathF.Round(v / s) * s : 0f)];
    }

    /// <summary>bfloat16: float32 rounded to its top 16 bits, to nearest even.</summary>
    private static float[] Bf16(float[] w, int outputs, int inner) =>
    [
        .. w.Select(v =>
        {
            uint u = BitConverter.SingleToUInt32Bits(v);
            return BitConverter.UInt32BitsToSingle((u + 0x7FFFu + ((u >> 16) & 1)) & 0xFFFF0000u);
        }),
    ];

    private static void Report(string path, int batch, Action body)
    {
        // Process CPU time per forward beside the wall p50: on a shared machine the wall time is mostly waiting for
        // a core, while the CPU time is what a saturated server pays per batch.
        TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        int calls = 0;
        double seconds = Timing.Median(() => { body(); calls++; }, budgetSeconds: batch == 1 ? 2 : 4, minRuns: 11, maxRuns: 400);
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / calls;
        Console.WriteLine($"infer dcgan64 batch {batch} rawgan {path}: p50 {seconds * 1e3:F2} ms  {batch / seconds:F1} images/s  CPU {cpu:F2} ms/forward");
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
