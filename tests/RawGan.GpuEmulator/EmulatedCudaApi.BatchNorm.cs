using RawGan.Backends.Cuda;

namespace RawGan.GpuEmulator;

/// <summary>
/// cuDNN's legacy training batch norm in its two spatial modes (one mean and variance per channel over N, H and W),
/// computed from its definition in float64: forward y = alpha·((x - mean)·invstd·scale + bias) + beta·y, saving mean
/// and invstd = 1/sqrt(var + eps) (var biased), and updating running = (1 - f)·running + f·batch with the unbiased
/// variance for running_var; backward dx = alpha·(scale·invstd·(dy - mean(dy) - x̂·mean(dy·x̂))) + beta·dx,
/// dScale = Σ dy·x̂, dBias = Σ dy (with their own alpha and beta). The descriptor and pointer rules cuDNN states are
/// refused as its CUDNN_STATUS_BAD_PARAM: x, y (dy, dx) of one shape, the parameters as [1, C, 1, 1], scale and bias
/// given, running (and saved) statistics in pairs, the persistent backward given the saved statistics, epsilon
/// at least CUDNN_BN_MIN_EPSILON (0 since cuDNN 7.5). The two modes differ in speed and summation only: the
/// emulation computes both alike. An NHWC x is read into NCHW order and y (dx) written back as NHWC.
/// </summary>
internal sealed unsafe partial class EmulatedCudaApi
{
    private long _batchNormCalls;

    /// <summary>cuDNN batch-norm calls so far (tests check which path the backend took).</summary>
    public long BatchNormCalls
    {
        get { lock (_gate) return _batchNormCalls; }
    }

    public int cudnnBatchNormalizationForwardTraining(nint handle, int mode, float* alpha, float* beta, nint xDesc, ulong x, nint yDesc, ulong y,
        nint scaleBiasMeanVarDesc, ulong scale, ulong bias, double exponentialAverageFactor, ulong runningMean, ulong runningVariance,
        double epsilon, ulong saveMean, ulong saveInvVariance)
    {
        const string call = "cudnnBatchNormalizationForwardTraining";
        TensorDesc d = BatchNormShapes(call, mode, epsilon, xDesc, [yDesc], scaleBiasMeanVarDesc, scale, bias);
        if ((runningMean == 0) != (runningVariance == 0))
            throw Refused(call, "CUDNN_STATUS_BAD_PARAM: resultRunningMean and resultRunningVariance must both be given or both be null");
        if ((saveMean == 0) != (saveInvVariance == 0))
            throw Refused(call, "CUDNN_STATUS_BAD_PARAM: resultSaveMean and resultSaveInvVariance must both be given or both be null");
        float al = *alpha, be = *beta;
        Enqueue(call, () =>
        {
            (int c, long m, double[] X) = (d.C, (long)d.N * d.H * d.W, Read(x, d));
            double[] Y = be == 0 ? new double[X.Length] : Read(y, d), gamma = Read(scale, c), b = Read(bias, c);
            double[] mean = new double[c], inv = new double[c], var = new double[c];
            for (int ch = 0; ch < c; ch++)
            {
                (mean[ch], var[ch]) = Moments(X, d, ch);
                inv[ch] = 1 / Math.Sqrt(var[ch] + epsilon);
            }
            var written = new float[X.Length];
            ForEach(d, (i, ch) => written[i] = (float)(al * ((X[i] - mean[ch]) * inv[ch] * gamma[ch] + b[ch]) + (be == 0 ? 0 : be * Y[i])));
            Memory.Write(y, (ReadOnlySpan<float>)Layout.Of(d).Store(written));
            if (saveMean != 0)
            {
                Memory.Write(saveMean, (ReadOnlySpan<float>)Array.ConvertAll(mean, v => (float)v));
                Memory.Write(saveInvVariance, (ReadOnlySpan<float>)Array.ConvertAll(inv, v => (float)v));
            }
            if (runningMean == 0) return;
            double f = exponentialAverageFactor;
            double[] rm = Read(runningMean, c), rv = Read(runningVariance, c);
            Memory.Write(runningMean, (ReadOnlySpan<float>)Enumerable.Range(0, c).Select(ch => (float)((1 - f) * rm[ch] + f * mean[ch])).ToArray());
            Memory.Write(runningVariance, (ReadOnlySpan<float>)Enumerable.Range(0, c)
                .Select(ch => (float)((1 - f) * rv[ch] + f * var[ch] * m / (m - 1))).ToArray());
        });
        return Interop.Cudnn.StatusSuccess;
    }

    public int cudnnBatchNormalizationBackward(nint handle, int mode, float* alphaDataDiff, float* betaDataDiff, float* alphaParamDiff,
        float* betaParamDiff, nint xDesc, ulong x, nint dyDesc, ulong dy, nint dxDesc, ulong dx, nint scaleBiasDesc, ulong scale, ulong dScale,
        ulong dBias, double epsilon, ulong savedMean, ulong savedInvVariance)
    {
        const string call = "cudnnBatchNormalizationBackward";
        TensorDesc d = BatchNormShapes(call, mode, epsilon, xDesc, [dyDesc, dxDesc], scaleBiasDesc, scale, dScale == 0 ? 0 : dBias);
        if ((savedMean == 0) != (savedInvVariance == 0))
            throw Refused(call, "CUDNN_STATUS_BAD_PARAM: savedMean and savedInvVariance must both be given or both be null");
        if (mode == Interop.Cudnn.BatchNormSpatialPersistent && savedMean == 0)
            throw Refused(call, "CUDNN_STATUS_BAD_PARAM: CUDNN_BATCHNORM_SPATIAL_PERSISTENT needs savedMean and savedInvVariance");
        float aD = *alphaDataDiff, bD = *betaDataDiff, aP = *alphaParamDiff, bP = *betaParamDiff;
        Enqueue(call, () =>
        {
            (int c, long m, double[] X, double[] DY) = (d.C, (long)d.N * d.H * d.W, Read(x, d), Read(dy, d));
            double[] DX = bD == 0 ? new double[X.Length] : Read(dx, d), gamma = Read(scale, c);
            double[] mean = new double[c], inv = new double[c];
            if (savedMean != 0)
            {
                mean = Read(savedMean, c);
                inv = Read(savedInvVariance, c);
            }
            else
                for (int ch = 0; ch < c; ch++)
                {
                    (mean[ch], double var) = Moments(X, d, ch);
                    inv[ch] = 1 / Math.Sqrt(var + epsilon);
                }
            double[] sumDy = new double[c], sumDyXhat = new double[c];
            ForEach(d, (i, ch) =>
            {
                sumDy[ch] += DY[i];
                sumDyXhat[ch] += DY[i] * (X[i] - mean[ch]) * inv[ch];
            });
            var written = new float[X.Length];
            ForEach(d, (i, ch) =>
            {
                double xhat = (X[i] - mean[ch]) * inv[ch];
                double g = gamma[ch] * inv[ch] * (DY[i] - sumDy[ch] / m - xhat * sumDyXhat[ch] / m);
                written[i] = (float)(aD * g + (bD == 0 ? 0 : bD * DX[i]));
            });
            Memory.Write(dx, (ReadOnlySpan<float>)Layout.Of(d).Store(written));
            double[] oldScale = bP == 0 ? new double[c] : Read(dScale, c), oldBias = bP == 0 ? new double[c] : Read(dBias, c);
            Memory.Write(dScale, (ReadOnlySpan<float>)Enumerable.Range(0, c).Select(ch => (float)(aP * sumDyXhat[ch] + bP * oldScale[ch])).ToArray());
            Memory.Write(dBias, (ReadOnlySpan<float>)Enumerable.Range(0, c).Select(ch => (float)(aP * sumDy[ch] + bP * oldBias[ch])).ToArray());
        });
        return Interop.Cudnn.StatusSuccess;
    }

    /// <summary>The checks both calls share; returns x's shape.</summary>
    private TensorDesc BatchNormShapes(string call, int mode, double epsilon, nint xDesc, nint[] sameAsX, nint channelDesc, ulong scale, ulong biasOrGrads)
    {
        lock (_gate)
        {
            _batchNormCalls++;
            if (mode != Interop.Cudnn.BatchNormSpatial && mode != Interop.Cudnn.BatchNormSpatialPersistent)
                throw Refused(call, $"mode {mode}: only the spatial modes are emulated");
            if (!(epsilon >= 0)) throw Refused(call, $"CUDNN_STATUS_BAD_PARAM: epsilon {epsilon} is below CUDNN_BN_MIN_EPSILON (0)");
            TensorDesc x = Get<TensorDesc>(xDesc, call);
            foreach (nint other in sameAsX)
                if (Get<TensorDesc>(other, call) != x)
                    throw Refused(call, $"CUDNN_STATUS_BAD_PARAM: x is {x} but another data descriptor is {Get<TensorDesc>(other, call)}");
            if (Get<TensorDesc>(channelDesc, call) is var p && p != new TensorDesc(1, x.C, 1, 1, Interop.Cudnn.DataFloat))
                throw Refused(call, $"CUDNN_STATUS_BAD_PARAM: the scale/bias/mean/variance descriptor is {p}, [1, {x.C}, 1, 1] expected for x {x}");
            if (scale == 0 || biasOrGrads == 0) throw Refused(call, "CUDNN_STATUS_BAD_PARAM: the scale and bias (or their gradients) must be given");
            return x;
        }
    }

    /// <summary>Channel <paramref name="ch"/>'s mean and biased variance, in two passes.</summary>
    private static (double Mean, double Var) Moments(double[] x, TensorDesc d, int ch)
    {
        long m = (long)d.N * d.H * d.W, plane = (long)d.H * d.W;
        double sum = 0, sq = 0;
        for (int n = 0; n < d.N; n++)
            for (long i = ((long)n * d.C + ch) * plane, e = i + plane; i < e; i++) sum += x[i];
        double mean = sum / m;
        for (int n = 0; n < d.N; n++)
            for (long i = ((long)n * d.C + ch) * plane, e = i + plane; i < e; i++) sq += (x[i] - mean) * (x[i] - mean);
        return (mean, sq / m);
    }

    /// <summary>Calls <paramref name="body"/>(index, channel) for every element of an NCHW tensor.</summary>
    private static void ForEach(TensorDesc d, Action<long, int> body)
    {
        long plane = (long)d.H * d.W;
        for (long i = 0, total = plane * d.C * d.N; i < total; i++) body(i, (int)(i / plane % d.C));
    }
}
