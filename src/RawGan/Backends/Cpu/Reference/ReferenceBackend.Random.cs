using System.Numerics;
using RawGan.Tensors;

namespace RawGan.Backends.Cpu.Reference;

public sealed partial class ReferenceBackend
{
    public void FillUniform(Tensor destination, ulong seed, ulong offset, double low, double high) =>
        FillEach(destination, seed, offset, (x0, _) => low + (high - low) * ReferencePhilox.Unit(x0));

    /// <summary>Box-Muller's first output: sqrt(-2 ln u0)·cos(2π u1).</summary>
    public void FillNormal(Tensor destination, ulong seed, ulong offset, double mean, double std) =>
        FillEach(destination, seed, offset, (x0, x1) =>
            mean + std * Math.Sqrt(-2 * Math.Log(ReferencePhilox.Unit(x0))) * Math.Cos(2 * Math.PI * ReferencePhilox.Unit(x1)));

    public void FillBernoulli(Tensor destination, ulong seed, ulong offset, double p, double value) =>
        FillEach(destination, seed, offset, (x0, _) => ReferencePhilox.Unit(x0) < p ? value : 0);

    /// <summary>Element i = f(words of draw offset + i), computed in float64 and rounded once to the tensor's type.</summary>
    private static void FillEach(Tensor destination, ulong seed, ulong offset, Func<uint, uint, double> f)
    {
        switch (Data(destination))
        {
            case float[] d: FillT(d, seed, offset, f); break;
            case double[] d: FillT(d, seed, offset, f); break;
            default: throw new InvalidOperationException($"Random fills need a floating-point tensor, not {destination.DType.Name()}.");
        }
    }

    private static void FillT<T>(T[] d, ulong seed, ulong offset, Func<uint, uint, double> f) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++)
        {
            (uint x0, uint x1) = ReferencePhilox.Draw(seed, offset + (ulong)i);
            d[i] = T.CreateTruncating(f(x0, x1));
        }
    }
}
