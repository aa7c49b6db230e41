using RawGan.Backends.Cpu;
using RawGan.Backends.Cpu.Reference;

namespace RawGan.Bench;

/// <summary>Square float32 GEMMs C = A·B, as PyTorch's torch.mm(a, b, out=c) computes them in peer_gemm.py.</summary>
internal static unsafe class GemmBench
{
    public static void Run()
    {
        Console.WriteLine($"# rawgan gemm: C[n,n] = A[n,n]·B[n,n] float32, {SgemmMicroKernel.Best} kernel, {CpuParallel.Threads} threads, median of runs");
        Console.WriteLine("# kind size ms GFLOP/s");
        foreach (int n in new[] { 256, 512, 1024, 2048 })
        {
            var (a, b, c) = (Random(n * n, 1), Random(n * n, 2), new float[n * n]);
            double t;
            fixed (float* pa = a, pb = b, pc = c)
            {
                float* xa = pa, xb = pb, xc = pc;
                t = Timing.Median(() => Sgemm.Multiply(false, false, n, n, n, 1f, xa, n, xb, n, 0f, xc, n));
            }
            Report("gemm", n.ToString(), t, 2.0 * n * n * n);
            if (n == 256)
            {
                // The naive reference, for scale only (it is what gradient checks trust, not what trains).
                t = Timing.Median(() => ReferenceDense.Gemm(false, false, n, n, n, 1f, a, b, 0f, c), minRuns: 3);
                Report("gemm-naive", n.ToString(), t, 2.0 * n * n * n);
            }
        }
    }

    public static void Report(string kind, string name, double seconds, double flops) =>
        Console.WriteLine($"{kind} {name} {seconds * 1e3:F3} {flops / seconds / 1e9:F1}");

    public static float[] Random(long n, int seed)
    {
        var rng = new Random(seed);
        var v = new float[n];
        for (long i = 0; i < n; i++) v[i] = (float)(rng.NextDouble() * 2 - 1);
        return v;
    }
}
