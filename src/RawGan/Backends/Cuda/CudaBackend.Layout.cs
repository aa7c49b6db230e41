using RawGan.Tensors;

namespace RawGan.Backends.Cuda;

/// <summary>The entry of kernels/layout.ptx.</summary>
internal static class LayoutKernels
{
    public const string File = "layout.ptx";

    /// <summary>transpose_f32(.u64 x, .u64 y, .u64 batch, .u64 rows, .u64 cols): y [batch, cols, rows] = x [batch, rows, cols] transposed.</summary>
    public static readonly KernelSpec Transpose = new(File, "transpose_f32", "u64", "u64", "u64", "u64", "u64");
}

/// <summary>Channels-last activations: cuDNN reads them as they lie (<see cref="ChannelsLastNative"/>); the
/// transpose converts at the edges and puts a weight into cuDNN's NHWC filter order.</summary>
public sealed partial class CudaBackend
{
    public bool ChannelsLastNative => true;

    public void Transpose(Tensor x, Tensor y, long batch, long rows, long cols)
    {
        RequireFloat32("transpose", x);
        MakeCurrent();
        Transpose(Ptr(x), Ptr(y), batch, rows, cols);
    }

    /// <summary>The kernel's launch: one 256-thread block per 32×32 tile, at most some eight blocks a multiprocessor
    /// (the blocks loop over the rest).</summary>
    internal void Transpose(ulong x, ulong y, long batch, long rows, long cols)
    {
        long tiles = batch * ((rows + 31) / 32) * ((cols + 31) / 32);
        if (tiles == 0) return;
        uint grid = (uint)Math.Min(tiles, 8L * Info.Multiprocessors);
        Kernels.Launch(LayoutKernels.Transpose, grid, 256, KernelArg.U64(x), KernelArg.U64(y), KernelArg.U64(batch), KernelArg.U64(rows), KernelArg.U64(cols));
    }

    /// <summary>The weight [K, C, R, S] as a convolution in <paramref name="format"/> reads it: for channels-last,
    /// cuDNN's NHWC filter [K, R, S, C] in a scratch buffer (as PyTorch's cuDNN path makes a standard weight
    /// channels-last for a channels-last input); an empty buffer otherwise (the weight is used as it is).</summary>
    internal ScratchBuffer FilterIn(MemoryFormat format, ConvGeometry g, Tensor w)
    {
        if (format != MemoryFormat.ChannelsLast) return Scratch(0);
        ScratchBuffer t = Scratch(w.Numel * sizeof(float));
        Transpose(Ptr(w), t.Pointer, g.K, g.C, (long)g.R * g.S);
        return t;
    }
}
