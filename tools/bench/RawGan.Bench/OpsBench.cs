using System.Diagnostics;
using System.Runtime.InteropServices;
using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Bench;

/// <summary>
/// Per-op forward and backward times through the public op layer (<see cref="F"/>), autograd included: the forward
/// is y = op(inputs), the backward y.Backward(dy) with every input requiring its gradient. Shapes are DCGAN-64 and
/// MNIST-CGAN ones at their usual batch sizes; elementwise ops use one 2 M-element activation (64×128×16×16).
/// </summary>
internal static class OpsBench
{
    private static readonly Generator Rng = new(1);

    public static void Run()
    {
        Console.WriteLine("# rawgan ops: float32, cpu backend, forward y = op(x) and backward y.Backward(dy), median of runs");
        Console.WriteLine("# kind op:pass ms GFLOP/s   (GFLOP/s for the matrix ops only; 0 elsewhere)");
        Tensor act = Leaf(64, 128, 16, 16);

        Time("linear:100x512->1024", 2.0 * 100 * 512 * 1024, Leaf(100, 512), Leaf(1024, 512), Leaf(1024),
             (x, w, b) => F.Linear(x, w!, b));
        Time("conv2d:D2-64x64x32x32", 2.0 * 64 * 128 * 16 * 16 * 64 * 16, Leaf(64, 64, 32, 32), Leaf(128, 64, 4, 4), null,
             (x, w, _) => F.Conv2d(x, w!, null, 2, 1));
        Time("conv_transpose2d:G3-64x256x8x8", 2.0 * 64 * 256 * 8 * 8 * 128 * 16, Leaf(64, 256, 8, 8), Leaf(256, 128, 4, 4), null,
             (x, w, _) => F.ConvTranspose2d(x, w!, null, 2, 1));
        Tensor mean = Tensor.Zeros(new Shape(128)), variance = Tensor.Ones(new Shape(128));
        Time("batch_norm:64x128x16x16", 0, act, Leaf(128), Leaf(128),
             (x, w, b) => F.BatchNorm(x, mean, variance, w, b, training: true));
        Time("leaky_relu:64x128x16x16", 0, act, null, null, (x, _, _) => F.LeakyRelu(x, 0.2));
        Time("tanh:64x128x16x16", 0, act, null, null, (x, _, _) => F.Tanh(x));
        Time("sigmoid:64x128x16x16", 0, act, null, null, (x, _, _) => F.Sigmoid(x));
        Tensor target = Tensor.Rand(new Shape(64, 128, 16, 16), Rng);
        Tensor probability = Tensor.Rand(new Shape(64, 128, 16, 16), Rng, low: 0.01, high: 0.99);
        probability.RequiresGrad = true;
        Time("bce:64x128x16x16", 0, probability, null, null, (p, _, _) => F.BinaryCrossEntropy(p, target));
    }

    private static Tensor Leaf(params int[] shape)
    {
        Tensor t = Tensor.Randn(new Shape(shape), Rng, std: 0.5);
        t.RequiresGrad = true;
        return t;
    }

    /// <summary>Times forward and backward separately in each run, so one warm-up serves both medians.</summary>
    private static void Time(string name, double flops, Tensor x, Tensor? w, Tensor? b, Func<Tensor, Tensor?, Tensor?, Tensor> op)
    {
        Tensor? dy = null;
        var forward = new List<double>();
        var backward = new List<double>();
        var total = Stopwatch.StartNew();
        for (int run = 0; run < 50 && (run < 8 || total.Elapsed.TotalSeconds < 1.5); run++)
        {
            using var scope = new TensorScope(); // returns this run's intermediates and gradients
            long start = Stopwatch.GetTimestamp();
            Tensor y = op(x, w, b);
            double f = Stopwatch.GetElapsedTime(start).TotalSeconds;
            dy ??= scope.Keep(Tensor.Randn(y.Shape, Rng));
            start = Stopwatch.GetTimestamp();
            if (y.Numel == 1) y.Backward(); else y.Backward(dy);
            double bw = Stopwatch.GetElapsedTime(start).TotalSeconds;
            x.Grad = null;
            if (w is not null) w.Grad = null;
            if (b is not null) b.Grad = null;
            if (run < 2) continue; // warm-up
            forward.Add(f);
            backward.Add(bw);
        }
        GemmBench.Report("op", name + ":fwd", Timing.MedianOf(CollectionsMarshal.AsSpan(forward)), flops);
        GemmBench.Report("op", name + ":bwd", Timing.MedianOf(CollectionsMarshal.AsSpan(backward)), 2 * flops);
    }
}
