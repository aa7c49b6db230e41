using RawGan.Tensors;
using static RawGan.Backends.Cuda.KernelArg;

namespace RawGan.Backends.Cuda;

/// <summary>The bindings of kernels/batchnorm.ptx (optional pointers are passed as 0).</summary>
internal static class BatchNormKernels
{
    public const string File = "batchnorm.ptx";

    /// <summary>batchnorm_stats_f32(.u64 x, running_mean, running_var, mean, invstd, N, C, S, .f64 momentum, .f64 eps).</summary>
    public static readonly KernelSpec Stats = new(File, "batchnorm_stats_f32", "u64", "u64", "u64", "u64", "u64", "u64", "u64", "u64", "f64", "f64");

    /// <summary>batchnorm_running_stats_f32(.u64 running_mean, running_var, mean, invstd, C, .f64 eps).</summary>
    public static readonly KernelSpec RunningStats = new(File, "batchnorm_running_stats_f32", "u64", "u64", "u64", "u64", "u64", "f64");

    /// <summary>batchnorm_fwd_f32(.u64 x, weight, bias, mean, invstd, y, N, C, S).</summary>
    public static readonly KernelSpec Forward = new(File, "batchnorm_fwd_f32", "u64", "u64", "u64", "u64", "u64", "u64", "u64", "u64", "u64");

    /// <summary>batchnorm_bwd_f32(.u64 x, dy, weight, mean, invstd, dx, dweight, dbias, N, C, S, .u32 training).</summary>
    public static readonly KernelSpec Backward = new(File, "batchnorm_bwd_f32",
        "u64", "u64", "u64", "u64", "u64", "u64", "u64", "u64", "u64", "u64", "u64", "u32");
}

public sealed partial class CudaBackend
{
    public void BatchNormForward(Tensor x, Tensor? weight, Tensor? bias, Tensor? runningMean, Tensor? runningVar,
                                 bool training, double momentum, double eps, Tensor y, Tensor mean, Tensor invStd)
    {
        RequireFloat32("batch_norm", x);
        (long n, long c, long s) = Layout(x);
        if (training && n * s < 2)
            throw new ArgumentException($"BatchNorm in training mode needs more than one value per channel, got input [N={n}, C={c}, spatial={s}].");
        if (c == 0) return;
        if (training)
        {
            Kernels.Launch(BatchNormKernels.Stats, ChannelGrid(c), ChannelBlock(c),
                U64(Ptr(x)), U64(Ptr(runningMean, 0)), U64(Ptr(runningVar, 0)), U64(Ptr(mean)), U64(Ptr(invStd)),
                U64(n), U64(c), U64(s), F64(momentum), F64(eps));
        }
        else
        {
            if (runningMean is null || runningVar is null)
                throw new ArgumentException("BatchNorm in eval mode needs running statistics.");
            Kernels.Launch(BatchNormKernels.RunningStats, (uint)((c + Block - 1) / Block), Block,
                U64(Ptr(runningMean)), U64(Ptr(runningVar)), U64(Ptr(mean)), U64(Ptr(invStd)), U64(c), F64(eps));
        }
        if (n * s == 0) return;
        Kernels.Launch(BatchNormKernels.Forward, Grid(n * c * s), Block,
            U64(Ptr(x)), U64(Ptr(weight, 0)), U64(Ptr(bias, 0)), U64(Ptr(mean)), U64(Ptr(invStd)), U64(Ptr(y)), U64(n), U64(c), U64(s));
    }

    public void BatchNormBackward(Tensor x, Tensor dy, Tensor? weight, Tensor mean, Tensor invStd, bool training,
                                  Tensor dx, Tensor? dWeight, Tensor? dBias)
    {
        RequireFloat32("batch_norm backward", x);
        (long n, long c, long s) = Layout(x);
        if (c == 0) return;
        Kernels.Launch(BatchNormKernels.Backward, ChannelGrid(c), ChannelBlock(c),
            U64(Ptr(x)), U64(Ptr(dy)), U64(Ptr(weight, 0)), U64(Ptr(mean)), U64(Ptr(invStd)), U64(Ptr(dx)),
            U64(Ptr(dWeight, 0)), U64(Ptr(dBias, 0)), U64(n), U64(c), U64(s), U32(training ? 1u : 0u));
    }

    /// <summary>x viewed as [N, C, S]: S is H·W for images and 1 for BatchNorm1d's [N, C].</summary>
    private static (long N, long C, long S) Layout(Tensor x) => (x.Shape[0], x.Shape[1], x.Shape.Product(2, x.Rank));

    /// <summary>One block per channel (the blocks loop over channels beyond the grid).</summary>
    private static uint ChannelGrid(long c) => (uint)Math.Min(c, int.MaxValue);

    /// <summary>256 threads per channel, 1024 when there are too few channels to fill the device (batchnorm.ptx's advice).</summary>
    private uint ChannelBlock(long c) => c < 2L * Info.Multiprocessors ? 1024u : Block;
}
