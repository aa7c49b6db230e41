namespace RawGan.Backends.Cpu;

/// <summary>
/// The CPU twin of kernels/cast.ptx: float32 → bfloat16 rounded to nearest even, and back, bit for bit what
/// <c>cvt.rn.bf16x2.f32</c> and the widening shift give (NaN → the canonical 0x7FFF). It computes the operands a
/// bf16 product sees, so a bf16 GEMM or convolution is checked against the float32 reference run on them.
/// </summary>
internal static class BFloat16Rounding
{
    /// <summary>The bfloat16 nearest to <paramref name="x"/> (ties to even) as its 16 bits: the float32's upper half
    /// after adding half an ulp of the lower half (0x7FFF, plus the kept part's lowest bit for ties). A carry into the
    /// exponent is the correct rounding up, to ±inf at the top.</summary>
    public static ushort ToBits(float x)
    {
        uint bits = BitConverter.SingleToUInt32Bits(x);
        if (float.IsNaN(x)) return 0x7FFF;
        return (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1)) >> 16);
    }

    /// <summary>The float32 value of bfloat16 bits (exact).</summary>
    public static float FromBits(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>x rounded to the nearest bfloat16, as a float32.</summary>
    public static float Round(float x) => FromBits(ToBits(x));

    /// <summary><paramref name="destination"/>[i] = <see cref="Round(float)"/> of <paramref name="source"/>[i].</summary>
    public static void Round(ReadOnlySpan<float> source, Span<float> destination)
    {
        if (destination.Length < source.Length) throw new ArgumentException($"BFloat16Rounding.Round: {source.Length} values into {destination.Length}.");
        for (int i = 0; i < source.Length; i++) destination[i] = Round(source[i]);
    }
}
