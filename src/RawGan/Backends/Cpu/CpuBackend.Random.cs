using RawGan.Tensors;

namespace RawGan.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void FillUniform(Tensor destination, ulong seed, ulong offset, double low, double high) =>
        FillDraws(destination, i => low + (high - low) * Philox.Uniform(seed, offset + i));

    public void FillNormal(Tensor destination, ulong seed, ulong offset, double mean, double std) =>
        FillDraws(destination, i => mean + std * Philox.Normal(seed, offset + i));

    public void FillBernoulli(Tensor destination, ulong seed, ulong offset, double p, double value) =>
        FillDraws(destination, i => Philox.Uniform(seed, offset + i) < p ? value : 0);

    // Draws are independent of each other (counter-based), so chunks fill in parallel with identical results.
    private static void FillDraws(Tensor destination, Func<ulong, double> draw)
    {
        switch (Data(destination))
        {
            case float[] f: CpuParallel.For(f.Length, 1 << 14, (lo, hi) => { for (long i = lo; i < hi; i++) f[i] = (float)draw((ulong)i); }); break;
            case double[] d: CpuParallel.For(d.Length, 1 << 14, (lo, hi) => { for (long i = lo; i < hi; i++) d[i] = draw((ulong)i); }); break;
            default: throw new InvalidOperationException($"Random fills need a floating-point tensor, not {destination.DType.Name()}.");
        }
    }
}
