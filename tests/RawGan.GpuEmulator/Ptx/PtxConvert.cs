namespace RawGan.GpuEmulator.Ptx;

/// <summary>The general <c>cvt</c>: integer widening/narrowing (with optional .sat), float rounding to an
/// integral value, float ↔ float, float → integer (rounded as asked, saturating, NaN → 0) and integer → float
/// (.rn, correctly rounded even for 64-bit integers). Register bits in, register bits out.</summary>
internal static class PtxConvert
{
    public static ulong Convert(ulong bits, PtxType to, PtxType from, PtxRounding rounding, bool saturate)
    {
        if (from.IsInteger() && to.IsInteger()) return IntegerToInteger(bits, to, from, saturate);
        if (from.IsFloat() && to.IsFloat()) return FloatToFloat(bits, to, from, rounding);
        if (from.IsFloat()) return FloatToInteger(from == PtxType.F32 ? PtxFloat.F32(bits) : PtxFloat.F64(bits), to, rounding);
        return to == PtxType.F32 ? PtxFloat.Bits(IntegerToF32(bits, from)) : PtxFloat.Bits(IntegerToF64(bits, from));
    }

    /// <summary>float32 bits to bfloat16 bits, to nearest even, as the hardware's cvt.rn.bf16.f32 does: the exact
    /// value's distance to the two neighbouring bfloat16 values decides (computed in float64, where both neighbours
    /// and the midpoint are exact), overflow past the largest bfloat16's midpoint gives ±inf, NaN the canonical 0x7FFF.</summary>
    public static ushort ToBFloat16(uint bits)
    {
        float x = PtxFloat.F32(bits);
        if (float.IsNaN(x)) return 0x7FFF;
        uint down = bits & 0xFFFF_0000u;                 // toward zero: drop the low half
        uint up = down + 0x1_0000u;                       // the next bfloat16 away from zero (inf after the largest)
        // Past the largest bfloat16 the next value is ±2^128, as IEEE rounding takes an unbounded exponent.
        double upValue = (up & 0x7FFF_FFFFu) == 0x7F80_0000u ? Math.CopySign(Math.ScaleB(1.0, 128), x) : PtxFloat.F32(up);
        double distanceDown = Math.Abs((double)x - PtxFloat.F32(down)), distanceUp = Math.Abs(upValue - x);
        if (float.IsInfinity(x) || distanceDown < distanceUp) return (ushort)(down >> 16);
        if (distanceUp < distanceDown) return (ushort)(up >> 16);
        return (ushort)(((down >> 16) & 1) == 0 ? down >> 16 : up >> 16);
    }

    /// <summary>The value of an integer register of type <paramref name="type"/>.</summary>
    private static Int128 Value(ulong bits, PtxType type) => type.Size() == 4
        ? (type.IsSigned() ? (int)bits : (uint)bits)
        : (type.IsSigned() ? (long)bits : bits);

    private static ulong IntegerToInteger(ulong bits, PtxType to, PtxType from, bool saturate)
    {
        Int128 value = Value(bits, from);
        if (saturate)
        {
            Int128 min = to.IsSigned() ? -(Int128.One << (8 * to.Size() - 1)) : 0;
            Int128 max = to.IsSigned() ? (Int128.One << (8 * to.Size() - 1)) - 1 : (Int128.One << (8 * to.Size())) - 1;
            value = Int128.Clamp(value, min, max);
        }
        ulong result = (ulong)(value & ulong.MaxValue);
        return to.Size() == 4 ? result & 0xFFFF_FFFF : result;
    }

    private static double RoundToIntegral(double x, PtxRounding rounding) => rounding switch
    {
        PtxRounding.Rni => Math.Round(x, MidpointRounding.ToEven),
        PtxRounding.Rzi => Math.Truncate(x),
        PtxRounding.Rmi => Math.Floor(x),
        PtxRounding.Rpi => Math.Ceiling(x),
        _ => x,
    };

    private static ulong FloatToFloat(ulong bits, PtxType to, PtxType from, PtxRounding rounding)
    {
        if (from == PtxType.F32)
        {
            float x = PtxFloat.F32(bits);
            // rounding a float32 to an integral value in float64 is exact, and the result fits float32 exactly
            return to == PtxType.F32 ? PtxFloat.Bits((float)RoundToIntegral(x, rounding)) : PtxFloat.Bits((double)x);
        }
        double d = PtxFloat.F64(bits);
        return to == PtxType.F64 ? PtxFloat.Bits(RoundToIntegral(d, rounding)) : PtxFloat.Bits((float)d);
    }

    /// <summary>Rounds as asked, then saturates to the destination's range; NaN converts to 0.</summary>
    private static ulong FloatToInteger(double x, PtxType to, PtxRounding rounding)
    {
        if (double.IsNaN(x)) return 0;
        double r = RoundToIntegral(x, rounding);
        return to switch
        {
            PtxType.S32 => (uint)(r <= int.MinValue ? int.MinValue : r >= int.MaxValue ? int.MaxValue : (int)r),
            PtxType.U32 => r <= 0 ? 0 : r >= uint.MaxValue ? uint.MaxValue : (uint)r,
            PtxType.S64 => (ulong)(r <= -9223372036854775808.0 ? long.MinValue : r >= 9223372036854775808.0 ? long.MaxValue : (long)r),
            PtxType.U64 => r <= 0 ? 0 : r >= 18446744073709551616.0 ? ulong.MaxValue : (ulong)r,
            _ => throw new InvalidOperationException($"cvt to .{to.Name()}"),
        };
    }

    /// <summary>Integer → float32, correctly rounded (to nearest even). Every 32-bit integer is exact in float64,
    /// so one rounding of that double is the answer; 64-bit integers above 2^53 are first shortened to 53 bits
    /// with a sticky bit, which keeps the final rounding correct.</summary>
    private static float IntegerToF32(ulong bits, PtxType from)
    {
        if (from.Size() == 4) return (float)(double)Value(bits, from);
        bool negative = from.IsSigned() && (long)bits < 0;
        ulong magnitude = negative ? 0 - bits : bits;
        double d = magnitude < 1UL << 53 ? magnitude : (double)((magnitude >> 11) | ((magnitude & 0x7FF) != 0 ? 1UL : 0)) * 2048.0;
        float f = (float)d;
        return negative ? -f : f;
    }

    /// <summary>Integer → float64, correctly rounded: below 2^63 the hardware conversion of a long is exact
    /// rounding; above, halve with a sticky bit first.</summary>
    private static double IntegerToF64(ulong bits, PtxType from)
    {
        if (from.Size() == 4) return (double)Value(bits, from);
        if (from.IsSigned() || bits < 1UL << 63) return from.IsSigned() ? (long)bits : (double)(long)bits;
        return (double)(long)((bits >> 1) | (bits & 1)) * 2.0;
    }
}
