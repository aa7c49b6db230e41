namespace RawGan.GpuEmulator.Ptx;

/// <summary>Float semantics of PTX on sm_80 that C# arithmetic does not give directly. C#'s float and double
/// +, −, ×, ÷, sqrt and FusedMultiplyAdd are single correctly rounded IEEE operations, so .rn arithmetic is
/// exact; what differs is NaN results (a GPU produces the canonical NaN 0x7fffffff, x86 a negative default
/// NaN or the first operand's payload), min/max and .ftz.</summary>
internal static class PtxFloat
{
    public const uint CanonicalNaN32 = 0x7FFF_FFFF;
    /// <summary>The interpreter's float64 NaN result (PTX leaves f64 NaN payloads unspecified).</summary>
    public const ulong CanonicalNaN64 = 0x7FFF_FFFF_FFFF_FFFF;

    public static float F32(ulong bits) => BitConverter.UInt32BitsToSingle((uint)bits);
    public static double F64(ulong bits) => BitConverter.UInt64BitsToDouble(bits);

    /// <summary>The register bits of a float32 result, NaN canonicalised.</summary>
    public static ulong Bits(float value) => float.IsNaN(value) ? CanonicalNaN32 : BitConverter.SingleToUInt32Bits(value);
    public static ulong Bits(double value) => double.IsNaN(value) ? CanonicalNaN64 : BitConverter.DoubleToUInt64Bits(value);

    /// <summary>.ftz: a subnormal becomes a zero of the same sign.</summary>
    public static uint Flush(uint bits) => (bits & 0x7F80_0000) == 0 ? bits & 0x8000_0000 : bits;

    // min/max: a NaN operand is ignored (both NaN: canonical NaN); -0 < +0. Equal non-NaN operands have equal
    // bits except for ±0, where OR (min) / AND (max) of the bits picks the right zero.

    public static ulong Min(uint a, uint b)
    {
        float x = BitConverter.UInt32BitsToSingle(a), y = BitConverter.UInt32BitsToSingle(b);
        if (float.IsNaN(x)) return float.IsNaN(y) ? CanonicalNaN32 : b;
        if (float.IsNaN(y)) return a;
        return x < y ? a : y < x ? b : a | b;
    }

    public static ulong Max(uint a, uint b)
    {
        float x = BitConverter.UInt32BitsToSingle(a), y = BitConverter.UInt32BitsToSingle(b);
        if (float.IsNaN(x)) return float.IsNaN(y) ? CanonicalNaN32 : b;
        if (float.IsNaN(y)) return a;
        return x > y ? a : y > x ? b : a & b;
    }

    /// <summary>min.NaN / max.NaN: the canonical NaN if either operand is NaN.</summary>
    public static ulong MinNaN(uint a, uint b) =>
        float.IsNaN(BitConverter.UInt32BitsToSingle(a)) || float.IsNaN(BitConverter.UInt32BitsToSingle(b)) ? CanonicalNaN32 : Min(a, b);

    public static ulong MaxNaN(uint a, uint b) =>
        float.IsNaN(BitConverter.UInt32BitsToSingle(a)) || float.IsNaN(BitConverter.UInt32BitsToSingle(b)) ? CanonicalNaN32 : Max(a, b);

    public static ulong Min(ulong a, ulong b)
    {
        double x = F64(a), y = F64(b);
        if (double.IsNaN(x)) return double.IsNaN(y) ? CanonicalNaN64 : b;
        if (double.IsNaN(y)) return a;
        return x < y ? a : y < x ? b : a | b;
    }

    public static ulong Max(ulong a, ulong b)
    {
        double x = F64(a), y = F64(b);
        if (double.IsNaN(x)) return double.IsNaN(y) ? CanonicalNaN64 : b;
        if (double.IsNaN(y)) return a;
        return x > y ? a : y > x ? b : a & b;
    }

    /// <summary>Comparison outcome for setp masks: 0 less, 1 equal, 2 greater, 3 unordered.</summary>
    public static int Compare(float x, float y) => x < y ? 0 : x == y ? 1 : x > y ? 2 : 3;
    public static int Compare(double x, double y) => x < y ? 0 : x == y ? 1 : x > y ? 2 : 3;

    /// <summary>red.global.add.f32 flushes subnormal inputs and results to zero (PTX ISA, red).</summary>
    public static uint AtomicAdd(uint memory, uint value)
    {
        float sum = BitConverter.UInt32BitsToSingle(Flush(memory)) + BitConverter.UInt32BitsToSingle(Flush(value));
        return Flush((uint)Bits(sum));
    }
}
