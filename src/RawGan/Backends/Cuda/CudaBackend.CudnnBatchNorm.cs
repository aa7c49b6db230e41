using RawGan.Tensors;
using static RawGan.Backends.Cuda.CudaCheck;

namespace RawGan.Backends.Cuda;

/// <summary>Which code computes training-mode batch norm of images ([N, C, H, W]) on a <see cref="CudaBackend"/>.
/// Eval mode, BatchNorm1d's [N, C] (cuDNN was measured on images only), and what cuDNN cannot take (no weight or
/// bias, more than 2³¹ values) always run kernels/batchnorm.ptx.</summary>
public enum CudaBatchNorm
{
    /// <summary>cuDNN's CUDNN_BATCHNORM_SPATIAL_PERSISTENT: on an H200 1.5–5× faster than the PTX on every DCGAN-64
    /// layer at batch 128 (tools/gpu/RESULTS.md). In NCHW cuDNN may sum in scaled integers there, which can overflow
    /// to inf/NaN for huge activations (finite ones of a working network stay far below): PyTorch keeps this mode
    /// for channels-last (<see cref="Tensors.MemoryFormat.ChannelsLast"/>, which this backend hands cuDNN as NHWC),
    /// which is why <see cref="CudnnSpatial"/> and <see cref="Ptx"/> stay one switch away.</summary>
    CudnnPersistent,

    /// <summary>cuDNN's CUDNN_BATCHNORM_SPATIAL: floating-point sums; faster than the PTX forward at every DCGAN
    /// layer, its backward slower at bn64@32.</summary>
    CudnnSpatial,

    /// <summary>kernels/batchnorm.ptx: split float64 statistics, then the normalisation (three kernels each way).</summary>
    Ptx,
}

public sealed partial class CudaBackend
{
    /// <summary>The environment variable that picks <see cref="BatchNormPath"/>'s default: persistent, spatial or ptx.</summary>
    public const string BatchNormVariable = "RAWGAN_CUDA_BATCHNORM";

    private static readonly Lazy<CudaBatchNorm> DefaultBatchNorm = new(() => ParseBatchNorm(Environment.GetEnvironmentVariable(BatchNormVariable)));

    /// <summary>What training-mode batch norm runs on (default <see cref="CudaBatchNorm.CudnnPersistent"/>, or
    /// <see cref="BatchNormVariable"/>); benchmarks and tests switch it to compare the paths.</summary>
    public CudaBatchNorm BatchNormPath { get; set; } = DefaultBatchNorm.Value;

    /// <summary>persistent, spatial or ptx (any case; empty or absent: persistent).</summary>
    public static CudaBatchNorm ParseBatchNorm(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "persistent" => CudaBatchNorm.CudnnPersistent,
        "spatial" => CudaBatchNorm.CudnnSpatial,
        "ptx" => CudaBatchNorm.Ptx,
        _ => throw new InvalidOperationException($"{BatchNormVariable}={value}: expected persistent, spatial or ptx."),
    };

    /// <summary>Whether cuDNN takes this training batch norm: images (spatial size <paramref name="s"/> above 1), the
    /// operands it has no null for (<paramref name="operands"/>: the forward's weight and bias, and both running
    /// statistics or neither; the backward's weight), int-sized descriptors, two values or more per channel.</summary>
    private bool UsesCudnnBatchNorm(long n, long c, long s, bool operands) =>
        BatchNormPath != CudaBatchNorm.Ptx && operands && s > 1 && n * c * s <= int.MaxValue && n * s >= 2;

    private int CudnnBatchNormMode => BatchNormPath == CudaBatchNorm.CudnnPersistent
        ? Interop.Cudnn.BatchNormSpatialPersistent
        : Interop.Cudnn.BatchNormSpatial;

    /// <summary>cudnnBatchNormalizationForwardTraining: y, the saved mean and 1/sqrt(var + eps), and the running
    /// statistics as PyTorch updates them (cuDNN's exponentialAverageFactor is PyTorch's momentum, and it folds in
    /// the unbiased variance: running_var = (1 - m)·running_var + m·var·M/(M - 1) over M = N·S values).</summary>
    private unsafe void CudnnBatchNormForward(long n, long c, long s, Tensor x, Tensor weight, Tensor bias, Tensor? runningMean,
        Tensor? runningVar, double momentum, double eps, Tensor y, Tensor mean, Tensor invStd)
    {
        MakeCurrent();
        (nint xDesc, nint channelDesc) = BatchNormDescriptors(n, c, s, x.MemoryFormat);
        float one = 1, zero = 0;
        // Both running statistics or neither (UsesCudnnBatchNorm): cuDNN updates none when both are null.
        lock (Resources.LibraryGate)
            CheckCudnn(Api.cudnnBatchNormalizationForwardTraining(Resources.Cudnn, CudnnBatchNormMode, &one, &zero, xDesc, Ptr(x), xDesc, Ptr(y),
                channelDesc, Ptr(weight), Ptr(bias), momentum, Ptr(runningMean, 0), Ptr(runningVar, 0), eps, Ptr(mean), Ptr(invStd)));
    }

    /// <summary>cudnnBatchNormalizationBackward from the forward's saved mean and inverse deviation (the persistent
    /// mode requires them): dx, and dWeight, dBias (into scratch when the caller wants neither).</summary>
    private unsafe void CudnnBatchNormBackward(long n, long c, long s, Tensor x, Tensor dy, Tensor weight, Tensor mean, Tensor invStd,
        Tensor dx, Tensor? dWeight, Tensor? dBias)
    {
        MakeCurrent();
        (nint xDesc, nint channelDesc) = BatchNormDescriptors(n, c, s, x.MemoryFormat);
        using ScratchBuffer unwanted = Scratch(dWeight is null || dBias is null ? 2 * c * sizeof(float) : 0);
        ulong dw = dWeight is null ? unwanted.Pointer : Ptr(dWeight);
        ulong db = dBias is null ? unwanted.Pointer + (ulong)(c * sizeof(float)) : Ptr(dBias);
        float one = 1, zero = 0;
        lock (Resources.LibraryGate)
            CheckCudnn(Api.cudnnBatchNormalizationBackward(Resources.Cudnn, CudnnBatchNormMode, &one, &zero, &one, &zero, xDesc, Ptr(x), xDesc, Ptr(dy),
                xDesc, Ptr(dx), channelDesc, Ptr(weight), dw, db, SavedStatisticsEps, Ptr(mean), Ptr(invStd)));
    }

    /// <summary>cuDNN's backward reads epsilon only to recompute statistics it was not given; it was given them, but
    /// checks the value against CUDNN_BN_MIN_EPSILON all the same (PyTorch's default).</summary>
    private const double SavedStatisticsEps = 1e-5;

    /// <summary>x as cuDNN's [N, C, S, 1] (spatial mode normalises each channel over N, H and W: H·W = S is all that
    /// matters), in NCHW or, for channels-last, NHWC (the layout the persistent mode is made for), and the
    /// [1, C, 1, 1] of weight, bias and the statistics; made once per shape and format per device.</summary>
    private (nint X, nint Channel) BatchNormDescriptors(long n, long c, long s, MemoryFormat format)
    {
        var key = ((int)n, (int)c, (int)s, format);
        lock (Resources.ConvGate)
        {
            if (Resources.BatchNormDescriptors.TryGetValue(key, out var d)) return d;
            int layout = format == MemoryFormat.ChannelsLast ? Interop.Cudnn.TensorNhwc : Interop.Cudnn.TensorNchw;
            CheckCudnn(Api.cudnnCreateTensorDescriptor(out nint xDesc));
            CheckCudnn(Api.cudnnSetTensor4dDescriptor(xDesc, layout, Interop.Cudnn.DataFloat, key.Item1, key.Item2, key.Item3, 1));
            CheckCudnn(Api.cudnnCreateTensorDescriptor(out nint channelDesc));
            CheckCudnn(Api.cudnnSetTensor4dDescriptor(channelDesc, Interop.Cudnn.TensorNchw, Interop.Cudnn.DataFloat, 1, key.Item2, 1, 1));
            return Resources.BatchNormDescriptors[key] = (xDesc, channelDesc);
        }
    }
}
