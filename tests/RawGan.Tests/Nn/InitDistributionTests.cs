using RawGan.Nn;
using RawGan.Tensors;

namespace RawGan.Tests.Nn;

/// <summary>
/// Every initialiser's distribution against PyTorch's formula, on tensors of ~200k values: bounds, mean and
/// standard deviation within 5 standard errors (a wrong bound or spread, even by 10 %, is far outside). PyTorch's
/// default (kaiming_uniform_ with a = √5) is U(-1/√fan_in, 1/√fan_in) for weights and biases alike, with fan_in =
/// weight.size(1)·k·k: in_features, in_channels·k², and for a transposed convolution out_channels·k².
/// </summary>
public class InitDistributionTests
{
    private static double[] Values(Tensor t) => t.ToDoubleArray();

    private static (double Mean, double Std) Moments(double[] v)
    {
        double mean = v.Average();
        return (mean, Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)));
    }

    /// <summary>U(-b, b): every value inside, the extremes within 0.1 % of b, mean 0 and std b/√3.</summary>
    private static void AssertUniform(string what, double[] v, double b)
    {
        Assert.All(v, x => Assert.True(Math.Abs(x) <= b, $"{what}: {x} outside ±{b}"));
        Assert.True(v.Max() > b * (1 - 2e-3) && v.Min() < -b * (1 - 2e-3), $"{what}: extremes {v.Min()}, {v.Max()} do not reach ±{b}");
        (double mean, double std) = Moments(v);
        double sd = b / Math.Sqrt(3);
        Assert.InRange(mean, -5 * sd / Math.Sqrt(v.Length), 5 * sd / Math.Sqrt(v.Length));
        Assert.InRange(std, sd * (1 - 5 * 0.45 / Math.Sqrt(v.Length)), sd * (1 + 5 * 0.45 / Math.Sqrt(v.Length)));
    }

    [Fact]
    public void Linear_and_convolution_defaults_are_pytorchs_kaiming_uniform()
    {
        var g = new Generator(21);
        var linear = new Linear(400, 500, generator: g);
        AssertUniform("Linear weight", Values(linear.Weight), 1 / Math.Sqrt(400));
        var conv = new Conv2d(64, 128, 5, generator: g);
        AssertUniform("Conv2d weight", Values(conv.Weight), 1 / Math.Sqrt(64 * 25));
        var transposed = new ConvTranspose2d(128, 64, 5, generator: g);
        AssertUniform("ConvTranspose2d weight", Values(transposed.Weight), 1 / Math.Sqrt(64 * 25));
        // Biases: too few values for moments, but their extremes reach the same bound (P(max < 0.99·b) < 1e-2 for 500).
        foreach ((string what, double[] bias, double b) in new[] { ("Linear bias", Values(linear.Bias!), 1 / Math.Sqrt(400)),
                 ("Conv2d bias", Values(conv.Bias!), 1 / Math.Sqrt(64 * 25)), ("ConvTranspose2d bias", Values(transposed.Bias!), 1 / Math.Sqrt(64 * 25)) })
        {
            Assert.All(bias, x => Assert.True(Math.Abs(x) <= b, $"{what}: {x} outside ±{b}"));
            Assert.True(bias.Max(Math.Abs) > 0.9 * b, $"{what}: largest |value| {bias.Max(Math.Abs)} is far inside ±{b}");
        }
    }

    [Fact]
    public void Uniform_and_normal_have_their_parameters()
    {
        Tensor t = Tensor.Empty(new Shape(200_000));
        Init.Uniform(t, -0.5, 1.5, new Generator(22));
        AssertUniform("uniform(-0.5, 1.5) - 0.5", Values(t).Select(x => x - 0.5).ToArray(), 1);

        Init.Normal(t, 0.25, 0.02, new Generator(23));
        (double mean, double std) = Moments(Values(t));
        double se = 0.02 / Math.Sqrt(t.Numel);
        Assert.InRange(mean, 0.25 - 5 * se, 0.25 + 5 * se);
        Assert.InRange(std, 0.02 * (1 - 5 * 0.71 / Math.Sqrt(t.Numel)), 0.02 * (1 + 5 * 0.71 / Math.Sqrt(t.Numel)));
    }

    [Fact]
    public void Truncated_normal_has_the_truncated_moments()
    {
        // N(1, 0.5²) cut to [0, 3]: α = -2, β = 4 in standard units; with Z = Φ(β) - Φ(α),
        // mean = μ + σ(φ(α) - φ(β))/Z and var = σ²(1 + (αφ(α) - βφ(β))/Z - ((φ(α) - φ(β))/Z)²).
        const double mu = 1, sigma = 0.5, a = 0, b = 3;
        double alpha = (a - mu) / sigma, beta = (b - mu) / sigma;
        static double Phi(double x) => Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI);
        double z = Simpson(Phi, alpha, beta);
        double mean = mu + sigma * (Phi(alpha) - Phi(beta)) / z;
        double std = sigma * Math.Sqrt(1 + (alpha * Phi(alpha) - beta * Phi(beta)) / z - Math.Pow((Phi(alpha) - Phi(beta)) / z, 2));

        Tensor t = Tensor.Empty(new Shape(200_000));
        Init.TruncatedNormal(t, mu, sigma, a, b, new Generator(24));
        double[] v = Values(t);
        Assert.All(v, x => Assert.InRange(x, a, b));
        (double m, double s) = Moments(v);
        double se = std / Math.Sqrt(v.Length);
        Assert.InRange(m, mean - 5 * se, mean + 5 * se);
        Assert.InRange(s, std * (1 - 5 * 0.71 / Math.Sqrt(v.Length)), std * (1 + 5 * 0.71 / Math.Sqrt(v.Length)));
    }

    [Fact]
    public void Dcgan_init_draws_convolutions_from_n_0_002_and_batch_norm_weights_from_n_1_002()
    {
        var model = new Sequential(new Conv2d(64, 128, 5, bias: false), new BatchNorm2d(2048));
        Init.Dcgan(model, new Generator(25));
        var conv = (Conv2d)model[0];
        var bn = (BatchNorm2d)model[1];
        foreach ((string what, double[] v, double mean) in new[] { ("conv weight", Values(conv.Weight), 0.0), ("batch-norm weight", Values(bn.Weight!), 1.0) })
        {
            (double m, double s) = Moments(v);
            double se = 0.02 / Math.Sqrt(v.Length);
            Assert.InRange(m, mean - 5 * se, mean + 5 * se);
            Assert.InRange(s, 0.02 * (1 - 5 * 0.71 / Math.Sqrt(v.Length)), 0.02 * (1 + 5 * 0.71 / Math.Sqrt(v.Length)));
        }
        Assert.All(Values(bn.Bias!), x => Assert.Equal(0, x));
    }

    private static double Simpson(Func<double, double> f, double a, double b, int n = 2000)
    {
        double h = (b - a) / n, sum = f(a) + f(b);
        for (int i = 1; i < n; i++) sum += f(a + i * h) * (i % 2 == 1 ? 4 : 2);
        return sum * h / 3;
    }
}
