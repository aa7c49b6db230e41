using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Eval;

/// <summary>
/// <see cref="FeatureStatistics"/> reduced where the features were computed (on the GPU during training): the mean
/// and np.cov's unbiased covariance as tensors, so the caller brings them to the host in one read with whatever
/// else it needs, D + D² values instead of N·D.
/// </summary>
public static class DeviceStatistics
{
    /// <summary>The mean [D] and the covariance, flattened [D·D], of features [N, D], N ≥ 2.</summary>
    public static (Tensor Mu, Tensor Sigma) Compute(Tensor features)
    {
        int n = features.Shape[0], d = features.Shape[1];
        if (n < 2) throw new ArgumentException($"A covariance needs at least 2 feature vectors, got {n}.");
        Tensor mu = F.Scale(F.SumTo(features, new Shape(1, d)), 1.0 / n);
        Tensor centred = F.Sub(features, mu);
        Tensor sigma = Tensor.Empty(new Shape(d, d), DType.Float32, features.Backend);
        features.Backend.Gemm(true, false, 1.0 / (n - 1), centred, centred, 0, sigma);
        return (F.Reshape(mu, d), F.Reshape(sigma, d * d));
    }

    /// <summary>The statistics of <paramref name="count"/> vectors from the values read back: the mean, then the
    /// covariance, as <see cref="Compute"/> lays them out, at the start of <paramref name="read"/>.</summary>
    public static FeatureStatistics FromRead(ReadOnlySpan<float> read, int dimension, int count)
    {
        var mean = new double[dimension];
        var covariance = new double[dimension, dimension];
        for (int i = 0; i < dimension; i++) mean[i] = read[i];
        for (int i = 0; i < dimension; i++)
            for (int j = 0; j < dimension; j++) covariance[i, j] = read[dimension + i * dimension + j];
        return new FeatureStatistics(mean, covariance, count);
    }
}
