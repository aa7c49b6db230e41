namespace RawGan.Backends.Cpu.Reference;

/// <summary>
/// Rounding to bfloat16 defined on the value, not on its bits: the independent reference that kernels/cast.ptx and
/// <see cref="BFloat16Rounding"/> are checked against. bfloat16 has float32's exponent range and an 8-bit
/// significand: a finite x with 2^e ≤ |x| &lt; 2^(e+1) (e ≥ -126) rounds to a multiple of 2^(e-7), and below 2^-126
/// (the subnormals) to a multiple of 2^-133; ties go to the even multiple; a result beyond the largest bfloat16,
/// (2 - 2^-7)·2^127, is ±infinity. All of it is exact in float64.
/// </summary>
internal static class ReferenceBFloat16
{
    private static readonly double Largest = (2 - Math.ScaleB(1, -7)) * Math.ScaleB(1, 127);

    public static double Round(double x)
    {
        if (double.IsNaN(x) || double.IsInfinity(x) || x == 0) return x;
        int e = Math.Max(Math.ILogB(x), -126);
        double ulp = Math.ScaleB(1, e - 7);
        double r = Math.Round(x / ulp, MidpointRounding.ToEven) * ulp;
        if (Math.Abs(r) > Largest) return double.CopySign(double.PositiveInfinity, x);
        return r == 0 ? double.CopySign(0, x) : r;
    }
}
