using System.Diagnostics;
using RawGan.Backends;
using RawGan.Backends.Cpu;
using RawGan.Gan;
using RawGan.Gan.Models;
using RawGan.Autograd;
using RawGan.IO;
using RawGan.Nn;
using RawGan.Tensors;

namespace RawGan.Bench;

/// <summary>
/// Generator inference on the CPU, the latency a service feels: the DCGAN-64 generator (nz 100, ngf 64, RGB) in
/// eval mode at batch 1 and 16, p50 of many forwards after warm-up, eager (module by module, as `rawgan sample`
/// ran before the inference plan) and through <see cref="InferencePlan"/> (BatchNorm folded, fused epilogues).
/// tools/peer/gen_infer.py prints the same lines for PyTorch, and the bench the same for the weight-only quantised
/// generators (`--quantize int8|bf16`). `infer quantize` measures what quantised weights cost in quality: int8 per
/// output channel and bf16, against the float32 images of the same noise.
/// </summary>
internal static class InferBench
{
    public static int Run(string[] args)
    {
        if (args is ["quantize"]) return Quantize();
        if (args is ["layers", .. var rest]) return Layers(rest.Length > 0 ? [.. rest.Select(int.Parse)] : [1, 16]);
        int[] batches = args.Length > 0 ? [.. args.Select(int.Parse)] : [1, 16];
        var config = new GanConfig { Model = ModelKind.Dcgan };
        GanGenerator g = config.Recipe.CreateGenerator(config, 3, 64, 1);
        Randomise(g);
        Console.WriteLine($"# rawgan infer: DCGAN-64 generator, {CpuBackend.Default.Name}");
        GanGenerator folded = Prepared(config, g, Quantization.None), int8 = Prepared(config, g, Quantization.Int8), bf16 = Prepared(config, g, Quantization.Bf16);
        foreach (int n in batches)
        {
            Tensor z = Tensor.Randn(new Shape(n, config.Nz), new Generator(7));
            float[] a = Sampling.Generate(g, z, null), b = Sampling.Generate(folded, z, null);
            Console.WriteLine($"# batch {n}: folded vs eager max |difference| {a.Zip(b, (x, y) => Math.Abs(x - y)).Max():G3}");
            // Interleaved, so every path sees the same load on a shared machine.
            for (int round = 0; round < 2; round++)
            {
                Report("eager", n, () => Sampling.Generate(g, z, null));
                Report("folded", n, () => Sampling.Generate(folded, z, null));
                Report("folded int8", n, () => Sampling.Generate(int8, z, null));
                Report("folded bf16", n, () => Sampling.Generate(bf16, z, null));
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
        foreach (Quantization kind in new[] { Quantization.Int8, Quantization.Bf16 })
        {
            GanGenerator q = Prepared(config, g, kind);
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
            Console.WriteLine($"quantize dcgan64 {kind} weights: max |difference| {max:G3}  mean {sum / images.Length:G3}  " +
                              $"pixels changed {100.0 * changed / images.Length:F2}%");
        }
        return 0;
    }

    /// <summary>Where the time goes: p50 of each layer of the prepared (folded) generator's trunk, alone, on its
    /// own output of the layer before (eval mode, no gradients), at each batch size.</summary>
    private static int Layers(int[] batches)
    {
        var config = new GanConfig { Model = ModelKind.Dcgan };
        GanGenerator g = config.Recipe.CreateGenerator(config, 3, 64, 1);
        Randomise(g);
        g.Eval();
        Sequential folded = Fusion.Fold(g.Modules().OfType<Sequential>().First());
        Console.WriteLine($"# rawgan infer layers: DCGAN-64 generator, folded, {CpuBackend.Default.Name}");
        using var noGrad = GradMode.NoGrad();
        foreach (int n in batches)
        {
            Tensor x = Tensor.Randn(new Shape(n, config.Nz, 1, 1), new Generator(7));
            double total = 0;
            foreach (Module layer in folded.Layers)
            {
                Tensor input = x;
                TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                int calls = 0;
                double s = Timing.Median(() => { layer.Forward(input); calls++; }, budgetSeconds: 1, minRuns: 21, maxRuns: 2000);
                double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / calls;
                x = layer.Forward(input);
                total += s;
                Console.WriteLine($"infer layer batch {n} {input.Shape} -> {x.Shape}: p50 {s * 1e3:F3} ms  CPU {cpu:F3} ms/call");
            }
            Console.WriteLine($"infer layers batch {n}: sum of p50s {total * 1e3:F3} ms");
        }
        return 0;
    }

    private static int Pixel(float v) => (int)Math.Round((Math.Clamp(v, -1f, 1f) + 1) / 2 * 255);

    /// <summary>A copy of <paramref name="g"/> prepared for inference with its weights held as asked.</summary>
    private static GanGenerator Prepared(GanConfig config, GanGenerator g, Quantization quantization)
    {
        GanGenerator copy = config.Recipe.CreateGenerator(config, 3, 64, 1);
        copy.LoadStateDict(g.StateDict().ToDictionary(e => e.Name, e => e.Value));
        copy.PrepareInference(quantization);
        return copy;
    }

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
