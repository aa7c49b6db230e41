using RawGan.Backends.Cpu;

namespace RawGan.Bench;

/// <summary>The three convolution primitives of <see cref="FastConv"/> on the DCGAN-64 layer shapes.</summary>
internal static unsafe class ConvBench
{
    public static void Run()
    {
        Console.WriteLine($"# rawgan conv: DCGAN-64 layers at batch {DcganLayers.Batch}, float32, im2col + sgemm, {CpuParallel.Threads} threads");
        Console.WriteLine("# kind layer:pass ms GFLOP/s   (G layers: bwd-data is the transposed conv's forward)");
        foreach (var (name, g) in DcganLayers.All)
        {
            float[] x = GemmBench.Random((long)g.N * g.C * g.H * g.W, 1), w = GemmBench.Random((long)g.K * g.C * g.R * g.S, 2);
            float[] y = GemmBench.Random((long)g.N * g.K * g.P * g.Q, 3);
            double flops = 2.0 * g.MacCount;
            fixed (float* px = x, pw = w, py = y)
            {
                float* cx = px, cw = pw, cy = py;
                float[] dw = new float[w.Length], dx = new float[x.Length], outY = new float[y.Length];
                fixed (float* pdw = dw, pdx = dx, poy = outY)
                {
                    float* cdw = pdw, cdx = pdx, coy = poy;
                    GemmBench.Report("conv", name + ":fwd", Timing.Median(() => FastConv.Forward(g, cx, cw, coy), 0.6), flops);
                    GemmBench.Report("conv", name + ":bwd-data", Timing.Median(() => FastConv.BackwardData(g, cy, cw, cdx), 0.6), flops);
                    GemmBench.Report("conv", name + ":bwd-filter", Timing.Median(() => FastConv.BackwardFilter(g, cx, cy, cdw), 0.6), flops);
                }
            }
        }
    }
}
