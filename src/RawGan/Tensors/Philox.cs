using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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

    /// <summary>A word mapped to (0, 1) from its top 24 bits, ((x >> 8) + 0.5)·2^-24, exact in float64: never 0, so
    /// log is safe, and never 1. (Its 25 significant bits do not all fit a float32: rounded to float32, the largest
    /// unit is 1, so a float32 uniform fill of [0, 1) gives 1 once in 2^24 draws.)</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ToUnit(uint x) => ((x >> 8) + 0.5) * TwoPow24Inv;

    /// <summary>
    /// Draws firstIndex, firstIndex + 1, … (mod 2^64): their first words into <paramref name="x0"/> and, when it is
    /// not empty, their second words into <paramref name="x1"/> (same length). The same words as <see cref="Draw"/>,
    /// eight counters at a time where the CPU has AVX2: a dropout mask or a uniform fill is mostly this.
    /// </summary>
    public static void DrawMany(ulong seed, ulong firstIndex, Span<uint> x0, Span<uint> x1)
    {
        if (!x1.IsEmpty && x1.Length != x0.Length) throw new ArgumentException($"Philox.DrawMany: x1 has {x1.Length} words, x0 {x0.Length}.");
        int done = Avx2.IsSupported ? DrawMany8(seed, firstIndex, x0, x1) : 0;
        for (int i = done; i < x0.Length; i++)
        {
            (uint a, uint b) = Draw(seed, firstIndex + (ulong)i);
            x0[i] = a;
            if (!x1.IsEmpty) x1[i] = b;
        }
    }

    /// <summary>The rounds of <see cref="Draw"/> on 64-bit lanes, four counters in each of two vectors. Each lane
    /// holds a 32-bit word in its low half: vpmuludq multiplies the low halves into full 64-bit products, whose high
    /// halves are the mulhi words. Lanes may carry junk in their high halves between rounds (XOR and the multiply
    /// never move it into the low halves), so only the final narrowing drops it. Returns the words drawn (a
    /// multiple of 8).</summary>
    private static int DrawMany8(ulong seed, ulong firstIndex, Span<uint> x0, Span<uint> x1)
    {
        Vector256<uint> m0 = Vector256.Create((ulong)M0).AsUInt32(), m1 = Vector256.Create((ulong)M1).AsUInt32();
        Vector256<ulong> lanes = Vector256.Create(0UL, 1, 2, 3), low = Vector256.Create(0xFFFF_FFFFUL);
        Span<Vector256<ulong>> key0 = stackalloc Vector256<ulong>[10], key1 = stackalloc Vector256<ulong>[10]; // per round
        uint k0 = (uint)seed, k1 = (uint)(seed >> 32);
        for (int round = 0; round < 10; round++, k0 += W0, k1 += W1)
            (key0[round], key1[round]) = (Vector256.Create((ulong)k0), Vector256.Create((ulong)k1));
        int n = x0.Length & ~7;
        for (int i = 0; i < n; i += 8)
        {
            Vector256<ulong> indexA = Vector256.Create(firstIndex + (ulong)i) + lanes, indexB = indexA + Vector256.Create(4UL);
            Vector256<ulong> a0 = indexA & low, a1 = indexA >>> 32, a2 = Vector256<ulong>.Zero, a3 = Vector256<ulong>.Zero;
            Vector256<ulong> b0 = indexB & low, b1 = indexB >>> 32, b2 = Vector256<ulong>.Zero, b3 = Vector256<ulong>.Zero;
            for (int round = 0; round < 10; round++)
            {
                Vector256<ulong> pa0 = Avx2.Multiply(a0.AsUInt32(), m0), pa1 = Avx2.Multiply(a2.AsUInt32(), m1);
                Vector256<ulong> pb0 = Avx2.Multiply(b0.AsUInt32(), m0), pb1 = Avx2.Multiply(b2.AsUInt32(), m1);
                (a0, a1, a2, a3) = ((pa1 >>> 32) ^ a1 ^ key0[round], pa1, (pa0 >>> 32) ^ a3 ^ key1[round], pa0);
                (b0, b1, b2, b3) = ((pb1 >>> 32) ^ b1 ^ key0[round], pb1, (pb0 >>> 32) ^ b3 ^ key1[round], pb0);
            }
            Vector256.Narrow(a0, b0).CopyTo(x0[i..]);
            if (!x1.IsEmpty) Vector256.Narrow(a1, b1).CopyTo(x1[i..]);
        }
        return n;
    }

    /// <summary>How many words' units lie below <paramref name="p"/>: ToUnit(x) &lt; p exactly when (x >> 8) is below
    /// this count, since ToUnit grows with x >> 8 (a Bernoulli mask then compares integers).</summary>
    public static uint UnitsBelow(double p)
    {
        uint lo = 0, hi = 1u << 24; // the answer is in [lo, hi]
        while (lo < hi)
        {
            uint mid = lo + (hi - lo) / 2;
            if (ToUnit(mid << 8) < p) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    public static double Uniform(ulong seed, ulong index) => ToUnit(Draw(seed, index).X0);

    /// <summary>Standard normal by Box-Muller from the two words of one draw.</summary>
    public static double Normal(ulong seed, ulong index)
    {
        (uint x0, uint x1) = Draw(seed, index);
        return BoxMuller(x0, x1);
    }

    /// <summary>Box-Muller's first output for the two words of a draw.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double BoxMuller(uint x0, uint x1) => Math.Sqrt(-2.0 * Math.Log(ToUnit(x0))) * Math.Cos(2.0 * Math.PI * ToUnit(x1));
}
