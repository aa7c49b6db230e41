using System.Numerics;
using RawGan.Tensors;

namespace RawGan.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void BatchNormForward(Tensor x, Tensor? weight, Tensor? bias, Tensor? runningMean, Tensor? runningVar,
                                 bool training, double momentum, double eps, Tensor y, Tensor mean, Tensor invStd)
    {
        if (x.DType == DType.Float32)
            BatchNormForwardT(Layout(x), F<float>(x), Opt<float>(weight), Opt<float>(bias), Opt<float>(runningMean), Opt<float>(runningVar),
                training, momentum, eps, F<float>(y), F<float>(mean), F<float>(invStd));
        else
            BatchNormForwardT(Layout(x), F<double>(x), Opt<double>(weight), Opt<double>(bias), Opt<double>(runningMean), Opt<double>(runningVar),
                training, momentum, eps, F<double>(y), F<double>(mean), F<double>(invStd));
    }

    public void BatchNormBackward(Tensor x, Tensor dy, Tensor? weight, Tensor mean, Tensor invStd, bool training,
                                  Tensor dx, Tensor? dWeight, Tensor? dBias)
    {
        if (x.DType == DType.Float32)
            BatchNormBackwardT(Layout(x), F<float>(x), F<float>(dy), Opt<float>(weight), F<float>(mean), F<float>(invStd), training,
                F<float>(dx), Opt<float>(dWeight), Opt<float>(dBias));
        else
            BatchNormBackwardT(Layout(x), F<double>(x), F<double>(dy), Opt<double>(weight), F<double>(mean), F<double>(invStd), training,
                F<double>(dx), Opt<double>(dWeight), Opt<double>(dBias));
    }

    /// <summary>x viewed as [N, C, S]: S is H·W for images and 1 for BatchNorm1d's [N, C].</summary>
    private static (int N, int C, int S) Layout(Tensor x) => (x.Shape[0], x.Shape[1], (int)x.Shape.Product(2, x.Rank));

    private static T[]? Opt<T>(Tensor? t) where T : unmanaged => t is null ? null : F<T>(t);

    private static void BatchNormForwardT<T>((int N, int C, int S) l, T[] x, T[]? w, T[]? b, T[]? rm, T[]? rv,
        bool training, double momentum, double eps, T[] y, T[] mean, T[] invStd) where T : IFloatingPointIeee754<T>
    {
        long count = (long)l.N * l.S;
        if (training && count < 2)
            throw new ArgumentException($"BatchNorm in training mode needs more than one value per channel, got input [N={l.N}, C={l.C}, spatial={l.S}].");
        Parallel.For(0, l.C, c =>
        {
            double mu, inv;
            if (training)
            {
                // Two passes in double: the one-pass E[x²] - E[x]² loses digits when |mean| >> std.
                double sum = 0, sq = 0;
                for (int n = 0; n < l.N; n++)
                for (long i = ((long)n * l.C + c) * l.S, e = i + l.S; i < e; i++) sum += double.CreateTruncating(x[i]);
                mu = sum / count;
                for (int n = 0; n < l.N; n++)
                for (long i = ((long)n * l.C + c) * l.S, e = i + l.S; i < e; i++) { double d = double.CreateTruncating(x[i]) - mu; sq += d * d; }
                double var = sq / count;
                inv = 1 / Math.Sqrt(var + eps);
                if (rm is not null) rm[c] = T.CreateTruncating((1 - momentum) * double.CreateTruncating(rm[c]) + momentum * mu);
                if (rv is not null) rv[c] = T.CreateTruncating((1 - momentum) * double.CreateTruncating(rv[c]) + momentum * var * count / (count - 1));
            }
            else
            {
                mu = double.CreateTruncating(rm![c]);
                inv = 1 / Math.Sqrt(double.CreateTruncating(rv![c]) + eps);
            }
            mean[c] = T.CreateTruncating(mu);
            invStd[c] = T.CreateTruncating(inv);
            T scale = T.CreateTruncating(inv) * (w is null ? T.One : w[c]);
            T shift = (b is null ? T.Zero : b[c]) - T.CreateTruncating(mu) * scale;
            for (int n = 0; n < l.N; n++)
            for (long i = ((long)n * l.C + c) * l.S, e = i + l.S; i < e; i++) y[i] = x[i] * scale + shift;
        });
    }

    private static void BatchNormBackwardT<T>((int N, int C, int S) l, T[] x, T[] dy, T[]? w, T[] mean, T[] invStd, bool training,
        T[] dx, T[]? dw, T[]? db) where T : IFloatingPointIeee754<T>
    {
        long count = (long)l.N * l.S;
        Parallel.For(0, l.C, c =>
        {
            double mu = double.CreateTruncating(mean[c]), inv = double.CreateTruncating(invStd[c]);
            double sumDy = 0, sumDyXhat = 0;
            for (int n = 0; n < l.N; n++)
            for (long i = ((long)n * l.C + c) * l.S, e = i + l.S; i < e; i++)
            {
                double g = double.CreateTruncating(dy[i]);
                sumDy += g;
                sumDyXhat += g * (double.CreateTruncating(x[i]) - mu) * inv;
            }
            if (dw is not null) dw[c] = T.CreateTruncating(sumDyXhat);
            if (db is not null) db[c] = T.CreateTruncating(sumDy);
            double k = (w is null ? 1 : double.CreateTruncating(w[c])) * inv;
            // Training: the batch mean and variance depend on x, which subtracts the projections on 1 and x̂.
            double meanDy = training ? sumDy / count : 0, meanDyXhat = training ? sumDyXhat / count : 0;
            for (int n = 0; n < l.N; n++)
            for (long i = ((long)n * l.C + c) * l.S, e = i + l.S; i < e; i++)
            {
                double xhat = (double.CreateTruncating(x[i]) - mu) * inv;
                dx[i] = T.CreateTruncating(k * (double.CreateTruncating(dy[i]) - meanDy - xhat * meanDyXhat));
            }
        });
    }
}
