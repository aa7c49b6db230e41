using RawGan.Tensors;
using static RawGan.Backends.Cuda.KernelArg;

namespace RawGan.Backends.Cuda;

/// <summary>The bindings of kernels/batchnorm.ptx (optional pointers are passed as 0).</summary>
internal static class BatchNormKernels
{
    public const string File = "batchnorm.ptx";

    /// <summary>batchnorm_partial_stats_f32(.u64 x, partial, N, C, S).</summary>
    public static readonly KernelSpec PartialStats = new(File, "batchnorm_partial_stats_f32", "u64", "u64", "u64", "u64", "u64");

    /// <summary>batchnorm_finish_stats_f32(.u64 partial, running_mean, running_var, mean, invstd, N, C, S, K, .f64 momentum, .f64 eps).</summary>
    public static readonly KernelSpec FinishStats = new(File, "batchnorm_finish_stats_f32",
        "u64", "u64", "u64", "u64", "u64", "u64", "u64", "u64", "u64", "f64", "f64");

    /// <summary>batchnorm_running_stats_f32(.u64 running_mean, running_var, mean, invstd, C, .f64 eps).</summary>
    public static readonly KernelSpec RunningStats = new(File, "batchnorm_running_stats_f32", "u64", "u64", "u64", "u64", "u64", "f64");

    /// <summary>batchnorm_fwd_f32(.u64 x, weight, bias, mean, invstd, y, N, C, S).</summary>
    public static readonly KernelSpec Forward = new(File, "batchnorm_fwd_f32", "u64", "u64", "u64", "u64", "u64", "u64", "u64", "u64", "u64");

    /// <summary>batchnorm_partial_grads_f32(.u64 x, dy, mean, invstd, partial, N, C, S).</summary>
    public static readonly KernelSpec PartialGrads = new(File, "batchnorm_partial_grads_f32", "u64", "u64", "u64", "u64", "u64", "u64", "u64", "u64");

    /// <summary>batchnorm_finish_grads_f32(.u64 partial, weight, invstd, dweight, dbias, coef, N, C, S, K, .u32 training).</summary>
    public static readonly KernelSpec FinishGrads = new(File, "batchnorm_finish_grads_f32",
        "u64", "u64", "u64", "u64", "u64", "u64", "u64", "u64", "u64", "u64", "u32");

    /// <summary>batchnorm_partial_stats_cols_f32(.u64 x, partial, M, C): the partial statistics of x [M, C] by column tiles.</summary>
    public static readonly KernelSpec PartialStatsCols = new(File, "batchnorm_partial_stats_cols_f32", "u64", "u64", "u64", "u64");

    /// <summary>batchnorm_partial_grads_cols_f32(.u64 x, dy, mean, invstd, partial, M, C): the partial gradient sums of x [M, C] by column tiles.</summary>
    public static readonly KernelSpec PartialGradsCols = new(File, "batchnorm_partial_grads_cols_f32", "u64", "u64", "u64", "u64", "u64", "u64", "u64");

    /// <summary>batchnorm_dx_f32(.u64 x, dy, mean, invstd, coef, dx, N, C, S).</summary>
    public static readonly KernelSpec Dx = new(File, "batchnorm_dx_f32", "u64", "u64", "u64", "u64", "u64", "u64", "u64", "u64", "u64");
}

public sealed partial class CudaBackend
{
    /// <summary>The fewest values of a channel one block sums: below this, splitting costs more than it gains.</summary>
    private const long MinSliceValues = 2048;

    public void BatchNormForward(Tensor x, Tensor? weight, Tensor? bias, Tensor? runningMean, Tensor? runningVar,
                                 bool training, double momentum, double eps, Tensor y, Tensor mean, Tensor invStd)
    {
        RequireFloat32("batch_norm", x);
        (long n, long c, long s) = Layout(x);
        if (training && n * s < 2)
            throw new ArgumentException($"BatchNorm in training mode needs more than one value per channel, got input [N={n}, C={c}, spatial={s}].");
        if (c == 0) return;
        if (training && UsesCudnnBatchNorm(n, c, s, weight is not null && bias is not null && (runningMean is null) == (runningVar is null)))
        {
            CudnnBatchNormForward(n, c, s, x, weight!, bias!, runningMean, runningVar, momentum, eps, y, mean, invStd);
            return;
        }
        (n, s) = KernelLayout(x, n, s);
        if (training)
        {
            bool cols = x.MemoryFormat == MemoryFormat.ChannelsLast;
            uint k = cols ? Slices(ColumnTiles(c), ColumnTile * n) : Slices(c, n * s);
            using ScratchBuffer partial = Scratch(c * k * 2 * sizeof(double));
            if (cols)
                Kernels.Launch(BatchNormKernels.PartialStatsCols, k, ChannelRows(ColumnTiles(c)), Block, U64(Ptr(x)), U64(partial.Pointer), U64(n), U64(c));
            else
                Kernels.Launch(BatchNormKernels.PartialStats, k, ChannelRows(c), Block,
                    U64(Ptr(x)), U64(partial.Pointer), U64(n), U64(c), U64(s));
            Kernels.Launch(BatchNormKernels.FinishStats, ChannelBlocks(c), Block,
                U64(partial.Pointer), U64(Ptr(runningMean, 0)), U64(Ptr(runningVar, 0)), U64(Ptr(mean)), U64(Ptr(invStd)),
                U64(n), U64(c), U64(s), U64(k), F64(momentum), F64(eps));
        }
        else
        {
            if (runningMean is null || runningVar is null)
                throw new ArgumentException("BatchNorm in eval mode needs running statistics.");
            Kernels.Launch(BatchNormKernels.RunningStats, ChannelBlocks(c), Block,
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
        if (training && UsesCudnnBatchNorm(n, c, s, weight is not null))
        {
            CudnnBatchNormBackward(n, c, s, x, dy, weight!, mean, invStd, dx, dWeight, dBias);
            return;
        }
        (n, s) = KernelLayout(x, n, s);
        // Eval mode without dweight / dbias needs no sums: dx is then dy·weight·invstd.
        bool sums = training || dWeight is not null || dBias is not null, cols = x.MemoryFormat == MemoryFormat.ChannelsLast;
        uint k = !sums ? 1 : cols ? Slices(ColumnTiles(c), ColumnTile * n) : Slices(c, n * s);
        using ScratchBuffer partial = Scratch(sums ? c * k * 2 * sizeof(double) : 0);
        using ScratchBuffer coef = Scratch(c * 3 * sizeof(double));
        if (sums && cols)
            Kernels.Launch(BatchNormKernels.PartialGradsCols, k, ChannelRows(ColumnTiles(c)), Block,
                U64(Ptr(x)), U64(Ptr(dy)), U64(Ptr(mean)), U64(Ptr(invStd)), U64(partial.Pointer), U64(n), U64(c));
        else if (sums)
            Kernels.Launch(BatchNormKernels.PartialGrads, k, ChannelRows(c), Block,
                U64(Ptr(x)), U64(Ptr(dy)), U64(Ptr(mean)), U64(Ptr(invStd)), U64(partial.Pointer), U64(n), U64(c), U64(s));
        Kernels.Launch(BatchNormKernels.FinishGrads, ChannelBlocks(c), Block,
            U64(sums ? partial.Pointer : 0), U64(Ptr(weight, 0)), U64(Ptr(invStd)), U64(Ptr(dWeight, 0)), U64(Ptr(dBias, 0)),
            U64(coef.Pointer), U64(n), U64(c), U64(s), U64(k), U32(training ? 1u : 0u));
        if (n * s == 0) return;
        Kernels.Launch(BatchNormKernels.Dx, Grid(n * c * s), Block,
            U64(Ptr(x)), U64(Ptr(dy)), U64(Ptr(mean)), U64(Ptr(invStd)), U64(coef.Pointer), U64(Ptr(dx)), U64(n), U64(c), U64(s));
    }

    /// <summary>x viewed as [N, C, S]: S is H·W for images and 1 for BatchNorm1d's [N, C].</summary>
    private static (long N, long C, long S) Layout(Tensor x) => (x.Shape[0], x.Shape[1], x.Shape.Product(2, x.Rank));

    /// <summary>N and S of the [N, C, S] the PTX kernels read: channels-last lies as [N·H·W, C, 1], BatchNorm1d's
    /// layout, whose per-channel statistics are the same. The elementwise kernels take it as it is; the sums take
    /// the column-tile kernels (*_cols_f32), which read 32 channels a warp instead of one channel with a stride of C.</summary>
    private static (long N, long S) KernelLayout(Tensor x, long n, long s) =>
        x.MemoryFormat == MemoryFormat.ChannelsLast ? (n * s, 1) : (n, s);

    /// <summary>The channels of one column tile of the *_cols_f32 kernels (a warp's lanes).</summary>
    private const long ColumnTile = 32;

    private static long ColumnTiles(long c) => (c + ColumnTile - 1) / ColumnTile;

    /// <summary>Blocks per channel for the split sums: about four blocks per multiprocessor in all, none with fewer
    /// than <see cref="MinSliceValues"/> values (so a large C, or a small N·S, gives one).</summary>
    private uint Slices(long c, long valuesPerChannel) =>
        (uint)Math.Clamp(Math.Min((4L * Info.Multiprocessors + c - 1) / c, valuesPerChannel / MinSliceValues), 1, 1024);

    /// <summary>Grid rows for the channels (the kernels loop over channels beyond 65,535, the grid's y limit).</summary>
    private static uint ChannelRows(long c) => (uint)Math.Min(c, 65535);

    /// <summary>A grid-stride launch over the channels.</summary>
    private static uint ChannelBlocks(long c) => (uint)((c + Block - 1) / Block);
}
