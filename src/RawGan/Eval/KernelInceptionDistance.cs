using RawGan.Tensors;

namespace RawGan.Eval;

/// <summary>The mean and standard deviation of KID over its subsets.</summary>
public readonly record struct KidResult(double Mean, double Std, int Subsets, int SubsetSize);

/// <summary>
/// Kernel Inception Distance (Bińkowski et al. 2018): the unbiased estimate of the squared maximum mean discrepancy
/// between two feature sets under the cubic polynomial kernel k(x, y) = (x·y / d + 1)³, averaged over random
/// subsets as the KID paper, clean-fid and torch-fidelity do (by default 100 subsets of up to 1,000 vectors).
/// Unlike FID it is unbiased, so it can be compared across sample sizes and may be slightly negative.
/// </summary>
public static class KernelInceptionDistance
{
    public static KidResult Compute(double[,] real, double[,] generated, int subsets = 100, int subsetSize = 1000, ulong seed = 0)
    {
        int n = Math.Min(real.GetLength(0), generated.GetLength(0));
        int m = Math.Min(n, subsetSize);
        if (m < 2) throw new ArgumentException($"KID needs at least 2 feature vectors in each set, got {real.GetLength(0)} and {generated.GetLength(0)}.");
        var rng = new Generator(seed);
        var values = new double[subsets];
        for (int s = 0; s < subsets; s++)
        {
            double[,] x = Matrix.SelectRows(generated, rng.Permutation(generated.GetLength(0))[..m]);
            double[,] y = Matrix.SelectRows(real, rng.Permutation(real.GetLength(0))[..m]);
            values[s] = UnbiasedMmd(x, y);
        }
        double mean = values.Average();
        double std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / subsets);
        return new KidResult(mean, std, subsets, m);
    }

    /// <summary>The unbiased MMD² of two equally sized sets [m, d]: the kernel's off-diagonal means within each set
    /// minus twice its mean across them.</summary>
    public static double UnbiasedMmd(double[,] x, double[,] y)
    {
        int m = x.GetLength(0), d = x.GetLength(1);
        if (y.GetLength(0) != m) throw new ArgumentException($"Unbiased MMD here takes equally sized sets, got {m} and {y.GetLength(0)}.");
        double within = OffDiagonalSum(Matrix.MultiplyTransposed(x, x), d) + OffDiagonalSum(Matrix.MultiplyTransposed(y, y), d);
        double across = 0;
        foreach (double dot in Matrix.MultiplyTransposed(x, y)) across += Kernel(dot, d);
        return within / ((double)m * (m - 1)) - 2 * across / ((double)m * m);
    }

    private static double OffDiagonalSum(double[,] dots, int d)
    {
        double sum = 0;
        for (int i = 0; i < dots.GetLength(0); i++)
            for (int j = 0; j < dots.GetLength(1); j++)
                if (i != j) sum += Kernel(dots[i, j], d);
        return sum;
    }

    private static double Kernel(double dot, int d)
    {
        double k = dot / d + 1;
        return k * k * k;
    }
}
