namespace RawGan.Eval;

/// <summary>
/// The mean <paramref name="Mu"/> [D] and covariance <paramref name="Sigma"/> [D, D] of a set of feature vectors,
/// what FID compares (pytorch-fid's <c>mu</c> and <c>sigma</c>: np.mean and np.cov with rowvar=False, so the
/// covariance is unbiased, divided by N - 1). <paramref name="Count"/> is N where known (0 for statistics read
/// from a file that does not record it).
/// </summary>
public sealed record FeatureStatistics(double[] Mu, double[,] Sigma, int Count = 0)
{
    public int Dimension => Mu.Length;

    /// <summary>The statistics of <paramref name="features"/> [N, D], N ≥ 2.</summary>
    public static FeatureStatistics From(double[,] features)
    {
        int n = features.GetLength(0), d = features.GetLength(1);
        if (n < 2) throw new ArgumentException($"A covariance needs at least 2 feature vectors, got {n}.");
        var mu = new double[d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) mu[j] += features[i, j];
        for (int j = 0; j < d; j++) mu[j] /= n;
        var centred = new double[d, n]; // transposed, so each covariance entry is one contiguous dot product
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) centred[j, i] = features[i, j] - mu[j];
        double[,] sigma = Matrix.MultiplyTransposed(centred, centred);
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) sigma[i, j] /= n - 1;
        return new FeatureStatistics(mu, sigma, n);
    }
}
