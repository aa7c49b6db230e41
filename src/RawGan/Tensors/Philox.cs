using System.Runtime.CompilerServices;

namespace RawGan.Tensors;

/// <summary>
/// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3"), the counter-based generator
/// cuRAND and PyTorch's CUDA backend use. Draw i of a stream is a pure function of (seed, i), so every device
/// and every thread produces the same numbers, and a generator's whole state is two integers.
/// </summary>
public static class Philox
{
    private const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;
    private const double TwoPow24Inv = 1.0 / (1 << 24);

    /// <summary>The first two 32-bit words of Philox4x32-10 with key = seed and counter = (index, 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (uint X0, uint X1) Draw(ulong seed, ulong index)
    {
        uint c0 = (uint)index, c1 = (uint)(index >> 32), c2 = 0, c3 = 0;
        uint k0 = (uint)seed, k1 = (uint)(seed >> 32);
        for (int round = 0; round < 10; round++)
        {
            ulong p0 = (ulong)M0 * c0, p1 = (ulong)M1 * c2;
            uint n0 = (uint)(p1 >> 32) ^ c1 ^ k0, n2 = (uint)(p0 >> 32) ^ c3 ^ k1;
            c0 = n0; c1 = (uint)p1; c2 = n2; c3 = (uint)p0;
            k0 += W0; k1 += W1;
        }
        return (c0, c1);
    }

    /// <summary>A word mapped to (0, 1) from its top 24 bits, computed exactly in float64 (and exactly representable
    /// in float32): never 0, so log is safe, and never 1, so a uniform draw stays below its upper bound.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ToUnit(uint x) => ((x >> 8) + 0.5) * TwoPow24Inv;

    public static double Uniform(ulong seed, ulong index) => ToUnit(Draw(seed, index).X0);

    /// <summary>Standard normal by Box-Muller from the two words of one draw.</summary>
    public static double Normal(ulong seed, ulong index)
    {
        (uint x0, uint x1) = Draw(seed, index);
        return Math.Sqrt(-2.0 * Math.Log(ToUnit(x0))) * Math.Cos(2.0 * Math.PI * ToUnit(x1));
    }
}
