namespace RawGan.Eval;

/// <summary>
/// The Fréchet distance between two Gaussians fitted to feature sets (FID when the features are Inception's pool3):
/// ‖μ₁ - μ₂‖² + tr Σ₁ + tr Σ₂ - 2 tr (Σ₁Σ₂)^½, in float64. The trace of the matrix square root is computed without
/// scipy's sqrtm: Σ₁Σ₂ has the eigenvalues of the symmetric Σ₁^½ Σ₂ Σ₁^½, so tr (Σ₁Σ₂)^½ is the sum of their
/// square roots. Eigenvalues that sampling noise and rounding push slightly below zero are taken as zero.
/// </summary>
public static class FrechetDistance
{
    public static double Compute(FeatureStatistics a, FeatureStatistics b)
    {
        if (a.Dimension != b.Dimension)
            throw new ArgumentException($"Statistics of {a.Dimension}-d and {b.Dimension}-d features cannot be compared.");
        double meanTerm = 0;
        for (int i = 0; i < a.Dimension; i++) meanTerm += (a.Mu[i] - b.Mu[i]) * (a.Mu[i] - b.Mu[i]);
        double[,] root = SquareRoot(a.Sigma);
        double[,] inner = Matrix.Multiply(Matrix.Multiply(root, b.Sigma), root);
        Symmetrise(inner);
        double traceRoot = SymmetricEigen.Decompose(inner).Values.Sum(v => Math.Sqrt(Math.Max(v, 0)));
        return meanTerm + Trace(a.Sigma) + Trace(b.Sigma) - 2 * traceRoot;
    }

    /// <summary>
    /// Checks that <paramref name="count"/> feature vectors of <paramref name="dimension"/> values are enough for a
    /// full-rank covariance, as FID needs (pytorch-fid only warns, and its result is then unreliable).
    /// </summary>
    public static void RequireEnough(int count, int dimension, string what)
    {
        if (count < dimension)
            throw new ArgumentException($"{what}: {count} images are too few for a {dimension}-d covariance; the Fréchet distance needs at least {dimension} (10,000 or more is usual for FID).");
    }

    /// <summary>The symmetric positive semi-definite square root V·diag(√λ)·Vᵀ.</summary>
    private static double[,] SquareRoot(double[,] sigma)
    {
        (double[] values, double[][] vectors) = SymmetricEigen.Decompose(sigma);
        int n = values.Length;
        var scaled = new double[n, n];  // row i: √λᵢ·vᵢ
        var plain = new double[n, n];   // row i: vᵢ
        for (int i = 0; i < n; i++)
        {
            double s = Math.Sqrt(Math.Max(values[i], 0));
            for (int j = 0; j < n; j++)
            {
                scaled[i, j] = s * vectors[i][j];
                plain[i, j] = vectors[i][j];
            }
        }
        return Matrix.Multiply(Matrix.Transpose(scaled), plain);
    }

    private static void Symmetrise(double[,] m)
    {
        for (int i = 0; i < m.GetLength(0); i++)
            for (int j = 0; j < i; j++) m[i, j] = m[j, i] = (m[i, j] + m[j, i]) / 2;
    }

    private static double Trace(double[,] m)
    {
        double t = 0;
        for (int i = 0; i < m.GetLength(0); i++) t += m[i, i];
        return t;
    }
}
