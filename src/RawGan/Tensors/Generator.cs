namespace RawGan.Tensors;

/// <summary>
/// A seeded, reproducible source of random numbers for initialisation, noise and dropout. The state is the seed
/// and how many draws were consumed (<see cref="Offset"/>); saving both in a checkpoint resumes the stream exactly.
/// </summary>
public sealed class Generator(ulong seed, ulong offset = 0)
{
    public ulong Seed { get; } = seed;
    public ulong Offset { get; private set; } = offset;

    /// <summary>Reserves <paramref name="count"/> draws and returns the offset of the first.</summary>
    public ulong Advance(long count)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count));
        ulong first = Offset;
        Offset += (ulong)count;
        return first;
    }

    /// <summary>Continues from a saved position (a checkpoint's RNG state).</summary>
    public void Restore(ulong offset) => Offset = offset;

    public double NextUniform() => Philox.Uniform(Seed, Advance(1));
    public double NextNormal() => Philox.Normal(Seed, Advance(1));

    /// <summary>An integer in [0, maxExclusive), for shuffling.</summary>
    public int NextInt(int maxExclusive)
    {
        (uint x0, uint x1) = Philox.Draw(Seed, Advance(1));
        return (int)((((ulong)x1 << 32) | x0) % (ulong)maxExclusive);
    }

    /// <summary>N(mean, std) truncated to [a, b] by inverse-CDF sampling (no rejection loop, so one draw per value).</summary>
    public double[] TruncatedNormal(long count, double mean, double std, double a, double b)
    {
        double lo = NormalCdf((a - mean) / std), hi = NormalCdf((b - mean) / std);
        ulong first = Advance(count);
        var values = new double[count];
        for (long i = 0; i < count; i++)
        {
            double u = lo + (hi - lo) * Philox.Uniform(Seed, first + (ulong)i);
            values[i] = Math.Clamp(mean + std * Math.Sqrt(2) * ErfInv(2 * u - 1), a, b);
        }
        return values;
    }

    /// <summary>A permutation of 0..n-1 (Fisher-Yates).</summary>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }

    private static double NormalCdf(double x) => 0.5 * (1 + Erf(x / Math.Sqrt(2)));

    // Numerical Recipes' Chebyshev fit of erfc (relative error below 1.2e-7): ample for initial weights.
    private static double Erf(double x)
    {
        double t = 1 / (1 + 0.5 * Math.Abs(x));
        double y = 1 - t * Math.Exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
                   t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? y : -y;
    }

    private static double ErfInv(double y)
    {
        if (y <= -1) return double.NegativeInfinity;
        if (y >= 1) return double.PositiveInfinity;
        double w = -Math.Log((1 - y) * (1 + y)), x;
        if (w < 5)
        {
            w -= 2.5;
            x = 2.81022636e-08;
            foreach (double c in (double[])[3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941])
                x = c + x * w;
        }
        else
        {
            w = Math.Sqrt(w) - 3;
            x = -0.000200214257;
            foreach (double c in (double[])[0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682])
                x = c + x * w;
        }
        x *= y;
        // Giles' single-precision fit of erfinv, polished by Newton steps on Erf so the two agree.
        for (int i = 0; i < 2; i++)
            x -= (Erf(x) - y) / (2 / Math.Sqrt(Math.PI) * Math.Exp(-x * x));
        return x;
    }
}
