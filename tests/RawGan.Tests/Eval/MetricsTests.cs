using RawGan.Eval;
using RawGan.Tests.Golden;

namespace RawGan.Tests.Eval;

/// <summary>The metrics against NumPy/SciPy on recorded features (tools/golden/make_eval_golden.py), and planted cases.</summary>
public class MetricsTests
{
    private static readonly GoldenFile Golden = GoldenFile.Load("eval_metrics");

    private static double[,] Matrix(string name)
    {
        int[] dims = Golden.Dims(name);
        double[] values = Golden.F64(name);
        var m = new double[dims[0], dims[1]];
        Buffer.BlockCopy(values, 0, m, 0, values.Length * sizeof(double));
        return m;
    }

    private static double Scalar(string name) => Golden.F64(name)[0];

    [Fact]
    public void FrechetDistanceMatchesPytorchFidsFormula()
    {
        double fid = FrechetDistance.Compute(FeatureStatistics.From(Matrix("real")), FeatureStatistics.From(Matrix("fake")));
        Assert.Equal(Scalar("fid"), fid, Scalar("fid") * 1e-9);
        double[,] sigma = FeatureStatistics.From(Matrix("real")).Sigma, expected = Matrix("sigma_real");
        for (int i = 0; i < sigma.GetLength(0); i++)
            for (int j = 0; j < sigma.GetLength(1); j++) Assert.Equal(expected[i, j], sigma[i, j], 1e-12);
    }

    [Fact]
    public void UnbiasedMmdInceptionScoreAndPrecisionRecallMatchNumPy()
    {
        Assert.Equal(Scalar("mmd"), KernelInceptionDistance.UnbiasedMmd(Matrix("fake"), Matrix("real")), 1e-12);
        (double mean, double std) = InceptionScore.Compute(Matrix("probabilities"));
        Assert.Equal(Scalar("is_mean"), mean, 1e-12);
        Assert.Equal(Scalar("is_std"), std, 1e-12);
        (double precision, double recall) = PrecisionRecall.Compute(Matrix("real"), Matrix("fake"));
        Assert.Equal(Scalar("precision"), precision, 1e-12);
        Assert.Equal(Scalar("recall"), recall, 1e-12);
    }

    [Fact]
    public void EigenDecompositionReconstructsTheMatrix()
    {
        double[,] a = FeatureStatistics.From(Matrix("fake")).Sigma;
        (double[] values, double[][] vectors) = SymmetricEigen.Decompose(a);
        int n = values.Length;
        Assert.True(values.Zip(values.Skip(1)).All(p => p.First <= p.Second), "ascending");
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0, dot = 0;
                for (int k = 0; k < n; k++)
                {
                    sum += vectors[k][i] * values[k] * vectors[k][j];
                    dot += vectors[i][k] * vectors[j][k];
                }
                Assert.Equal(a[i, j], sum, 1e-10);
                Assert.Equal(i == j ? 1 : 0, dot, 1e-10);
            }
    }

    [Fact]
    public void FidOfASetWithItselfIsZeroAndGrowsWithNoise()
    {
        double[,] real = Matrix("real");
        var stats = FeatureStatistics.From(real);
        Assert.Equal(0, FrechetDistance.Compute(stats, stats), 1e-9);
        var rng = new RawGan.Tensors.Generator(3);
        double[] noise = Enumerable.Range(0, real.Length).Select(_ => rng.NextNormal()).ToArray();
        double previous = 0;
        foreach (double level in new[] { 0.1, 0.3, 1.0, 3.0 })
        {
            var noisy = (double[,])real.Clone();
            for (int i = 0; i < real.GetLength(0); i++)
                for (int j = 0; j < real.GetLength(1); j++) noisy[i, j] += level * noise[i * real.GetLength(1) + j];
            double fid = FrechetDistance.Compute(stats, FeatureStatistics.From(noisy));
            Assert.True(fid > previous, $"noise {level}: FID {fid} after {previous}");
            previous = fid;
        }
    }

    [Fact]
    public void KidOfTwoSamplesOfOneDistributionIsAboutZeroAndPositiveForDifferentOnes()
    {
        double[,] real = Matrix("real"), fake = Matrix("fake");
        double[,] firstHalf = RawGan.Eval.Matrix.SelectRows(real, Enumerable.Range(0, 40).ToArray());
        double[,] secondHalf = RawGan.Eval.Matrix.SelectRows(real, Enumerable.Range(40, 40).ToArray());
        KidResult same = KernelInceptionDistance.Compute(firstHalf, secondHalf, subsets: 10, seed: 1);
        KidResult different = KernelInceptionDistance.Compute(firstHalf, fake, subsets: 10, seed: 1);
        Assert.Equal(40, different.SubsetSize);
        Assert.True(different.Mean > 5 * Math.Abs(same.Mean), $"same {same.Mean}, different {different.Mean}");
    }

    [Fact]
    public void TooFewImagesForTheCovarianceIsAnErrorSayingHowMany()
    {
        var e = Assert.Throws<ArgumentException>(() => FrechetDistance.RequireEnough(100, 2048, "FID"));
        Assert.Contains("at least 2048", e.Message);
    }

    [Fact]
    public void NpzStatisticsReadPytorchFidsFilesAndRoundTrip()
    {
        FeatureStatistics read = NpzStatistics.Read(GoldenFile.DataPath("eval_stats.npz"));
        FeatureStatistics expected = FeatureStatistics.From(Matrix("real"));
        for (int i = 0; i < read.Dimension; i++) Assert.Equal(expected.Mu[i], read.Mu[i], 1e-6); // mu stored as float32
        Assert.Equal(Matrix("sigma_real"), read.Sigma);

        string path = Path.Combine(Path.GetTempPath(), $"rawgan-stats-{Guid.NewGuid():N}.npz");
        try
        {
            NpzStatistics.Write(path, expected);
            FeatureStatistics back = NpzStatistics.Read(path);
            Assert.Equal(expected.Mu, back.Mu);
            Assert.Equal(expected.Sigma, back.Sigma);
        }
        finally { File.Delete(path); }
    }
}
