using System.Numerics;
using RawGan.Tensors;

namespace RawGan.Backends.Cpu.Reference;

public sealed partial class ReferenceBackend
{
    public void BatchNormForward(Tensor x, Tensor? weight, Tensor? bias, Tensor? runningMean, Tensor? runningVar,
                                 bool training, double momentum, double eps, Tensor y, Tensor mean, Tensor invStd)
    {
        if (x.DType == DType.Float32)
            BatchNormForwardT(Channels(x), F<float>(x), Opt<float>(weight), Opt<float>(bias), Opt<float>(runningMean), Opt<float>(runningVar),
                training, momentum, eps, F<float>(y), F<float>(mean), F<float>(invStd));
        else
            BatchNormForwardT(Channels(x), F<double>(x), Opt<double>(weight), Opt<double>(bias), Opt<double>(runningMean), Opt<double>(runningVar),
                training, momentum, eps, F<double>(y), F<double>(mean), F<double>(invStd));
    }

    public void BatchNormBackward(Tensor x, Tensor dy, Tensor? weight, Tensor mean, Tensor invStd, bool training,
                                  Tensor dx, Tensor? dWeight, Tensor? dBias)
    {
        if (x.DType == DType.Float32)
            BatchNormBackwardT(Channels(x), F<float>(x), F<float>(dy), Opt<float>(weight), F<float>(mean), F<float>(invStd), training,
                F<float>(dx), Opt<float>(dWeight), Opt<float>(dBias));
        else
            BatchNormBackwardT(Channels(x), F<double>(x), F<double>(dy), Opt<double>(weight), F<double>(mean), F<double>(invStd), training,
                F<double>(dx), Opt<double>(dWeight), Opt<double>(dBias));
    }

    /// <summary>x as [N, C, S] (S = H·W, or 1 for [N, C]): the flat indices of channel c's values.</summary>
    private readonly record struct ChannelLayout(int N, int C, long S)
    {
        public long Count => N * S;

        public IEnumerable<long> Indices(int c)
        {
            for (int n = 0; n < N; n++)
            for (long s = 0; s < S; s++)
                yield return ((long)n * C + c) * S + s;
        }
    }

    private static ChannelLayout Channels(Tensor x) => new(x.Shape[0], x.Shape[1], x.Shape.Product(2, x.Rank));

    private static double D<T>(T v) where T : IFloatingPointIeee754<T> => double.CreateTruncating(v);

    /// <summary>Per channel: μ = mean(x), σ² = mean((x - μ)²) (biased), y = (x - μ)/sqrt(σ² + eps)·w + b; running
    /// statistics ← (1 - momentum)·running + momentum·(μ, σ²·m/(m - 1)). Eval uses the running statistics instead.</summary>
    private static void BatchNormForwardT<T>(ChannelLayout l, T[] x, T[]? w, T[]? b, T[]? rm, T[]? rv,
        bool training, double momentum, double eps, T[] y, T[] mean, T[] invStd) where T : IFloatingPointIeee754<T>
    {
        long m = l.Count;
        if (training && m < 2)
            throw new ArgumentException($"BatchNorm in training mode needs more than one value per channel, got input [N={l.N}, C={l.C}, spatial={l.S}].");
        for (int c = 0; c < l.C; c++)
        {
            double mu, variance;
            if (training)
            {
                mu = l.Indices(c).Sum(i => D(x[i])) / m;
                variance = l.Indices(c).Sum(i => (D(x[i]) - mu) * (D(x[i]) - mu)) / m;
                if (rm is not null) rm[c] = T.CreateTruncating((1 - momentum) * D(rm[c]) + momentum * mu);
                if (rv is not null) rv[c] = T.CreateTruncating((1 - momentum) * D(rv[c]) + momentum * variance * m / (m - 1));
            }
            else
            {
                mu = D(rm![c]);
                variance = D(rv![c]);
            }
            double inv = 1 / Math.Sqrt(variance + eps);
            mean[c] = T.CreateTruncating(mu);
            invStd[c] = T.CreateTruncating(inv);
            double gamma = w is null ? 1 : D(w[c]), beta = b is null ? 0 : D(b[c]);
            foreach (long i in l.Indices(c)) y[i] = T.CreateTruncating((D(x[i]) - mu) * inv * gamma + beta);
        }
    }

    /// <summary>With x̂ = (x - μ)·invStd: dBias = Σ dy, dWeight = Σ dy·x̂, and dx = w·invStd·(dy - mean(dy) - x̂·mean(dy·x̂))
    /// in training (μ and σ depend on x), dx = w·invStd·dy in eval.</summary>
    private static void BatchNormBackwardT<T>(ChannelLayout l, T[] x, T[] dy, T[]? w, T[] mean, T[] invStd, bool training,
        T[] dx, T[]? dw, T[]? db) where T : IFloatingPointIeee754<T>
    {
        long m = l.Count;
        for (int c = 0; c < l.C; c++)
        {
            double mu = D(mean[c]), inv = D(invStd[c]), gamma = w is null ? 1 : D(w[c]);
            double XHat(long i) => (D(x[i]) - mu) * inv;
            double sumDy = l.Indices(c).Sum(i => D(dy[i]));
            double sumDyXHat = l.Indices(c).Sum(i => D(dy[i]) * XHat(i));
            if (db is not null) db[c] = T.CreateTruncating(sumDy);
            if (dw is not null) dw[c] = T.CreateTruncating(sumDyXHat);
            foreach (long i in l.Indices(c))
            {
                double g = training ? D(dy[i]) - sumDy / m - XHat(i) * sumDyXHat / m : D(dy[i]);
                dx[i] = T.CreateTruncating(gamma * inv * g);
            }
        }
    }
}
