using System.Numerics;
using System.Runtime.CompilerServices;

namespace RawGan.Backends.Cpu;

/// <summary>
/// The float32 exp, tanh and sigmoid of kernels/elementwise.ptx (m_expf, m_tanhf, m_sigmoidf), a vector of lanes at
/// a time: the same constants and the same operations in the same order, fused where the kernel fuses, so the CPU's
/// float32 path and the GPU give the same bits, and the CPU's is several times faster than the C runtime's scalar
/// expf/tanhf. Accuracy, as the kernel file states it: exp ≤ 1 ulp, tanh ≤ 1.6 ulp, sigmoid ≤ 2.5 ulp (tested against
/// float64 in FastPathTests). Float64 keeps the C runtime's functions: it is the reference gradient checks trust.
/// </summary>
internal static class KernelMath
{
    /// <summary>A constant by its float32 bit pattern, as the kernel writes it (0f3FB8AA3B).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> C(uint bits) => new(BitConverter.UInt32BitsToSingle(bits));

    /// <summary>e^x: x = k·ln2 + r (Cody–Waite, |r| ≤ ln2/2), e^r by its degree-7 Taylor polynomial, then 2^k applied
    /// in two halves so that overflow and underflow round once. NaN → NaN, +inf → +inf, -inf → +0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Exp(Vector<float> x)
    {
        // Clamped to [-104, 89]; Vector.Max and Min let a NaN through, as the kernel's max.NaN / min.NaN do.
        Vector<float> t = Vector.Min(Vector.Max(x, C(0xC2D00000)), C(0x42B20000));
        Vector<float> kf = Vector.Round(t * C(0x3FB8AA3B)); // x·log2(e), to the nearest even integer
        Vector<int> k = Vector.ConvertToInt32(kf);
        Vector<float> r = Vector.FusedMultiplyAdd(kf, C(0xBF317200), t); // x - k·ln2_hi (exact)
        r = Vector.FusedMultiplyAdd(kf, C(0xB5BFBE8E), r);                  //   - k·ln2_lo
        Vector<float> p = C(0x39500D01);                                    // 1/7!
        p = Vector.FusedMultiplyAdd(p, r, C(0x3AB60B61));                   // 1/6!
        p = Vector.FusedMultiplyAdd(p, r, C(0x3C088889));                   // 1/5!
        p = Vector.FusedMultiplyAdd(p, r, C(0x3D2AAAAB));                   // 1/4!
        p = Vector.FusedMultiplyAdd(p, r, C(0x3E2AAAAB));                   // 1/3!
        p = Vector.FusedMultiplyAdd(p, r, C(0x3F000000));                   // 1/2
        p = Vector.FusedMultiplyAdd(p, r, Vector<float>.One);
        p = Vector.FusedMultiplyAdd(p, r, Vector<float>.One);
        Vector<int> k1 = Vector.ShiftRightArithmetic(k, 1), k2 = k - k1, bias = new(127);
        Vector<float> s1 = Vector.AsVectorSingle(Vector.ShiftLeft(k1 + bias, 23)), s2 = Vector.AsVectorSingle(Vector.ShiftLeft(k2 + bias, 23));
        return p * s1 * s2; // the first product is exact, the second the one rounding
    }

    /// <summary>tanh x: for |x| &lt; ln(3)/2, x + x·s·Q(s) with s = x²; otherwise sign(x)·(1 - 2/(e^{2|x|} + 1)).
    /// NaN → NaN, ±inf → ±1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // its constants inlined from the first call, never a tier-0 loop of calls
    public static Vector<float> Tanh(Vector<float> x)
    {
        Vector<float> ax = Vector.Abs(x), s = x * x;
        Vector<float> q = C(0xBBCDB64A);
        q = Vector.FusedMultiplyAdd(q, s, C(0x3CACA2CF));
        q = Vector.FusedMultiplyAdd(q, s, C(0xBD5C9499));
        q = Vector.FusedMultiplyAdd(q, s, C(0x3E088694));
        q = Vector.FusedMultiplyAdd(q, s, C(0xBEAAAAA5));
        q *= s;
        Vector<float> small = Vector.FusedMultiplyAdd(q, x, x);
        Vector<float> large = Vector<float>.One - new Vector<float>(2f) / (Exp(ax + ax) + Vector<float>.One);
        Vector<float> signed = Vector.ConditionalSelect(Vector.AsVectorSingle(new Vector<int>(int.MaxValue)), large, x); // |large| with x's sign
        return Vector.ConditionalSelect(Vector.LessThan(ax, C(0x3F0C9F54)), small, signed);
    }

    /// <summary>1/(1 + e^-x) for x ≥ 0, e^x/(1 + e^x) otherwise: never overflows. NaN → NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // its constants inlined from the first call, never a tier-0 loop of calls
    public static Vector<float> Sigmoid(Vector<float> x)
    {
        Vector<int> positive = Vector.GreaterThanOrEqual(x, Vector<float>.Zero);
        Vector<float> e = Exp(Vector.ConditionalSelect(positive, -x, x));
        return Vector.ConditionalSelect(positive, Vector<float>.One, e) / (e + Vector<float>.One);
    }
}
