namespace RawGan.Tensors;

/// <summary>
/// How a tensor's elements lie in its storage, as PyTorch's torch.memory_format: the shape stays logical
/// ([N, C, H, W] for images) whatever the format; only the order in memory differs.
/// </summary>
public enum MemoryFormat
{
    /// <summary>Row-major in the logical shape (NCHW for images): every tensor unless an op says otherwise.</summary>
    Contiguous,

    /// <summary>Rank-4 tensors only: [N, C, H, W] stored as [N, H, W, C] (NHWC), the layout cuDNN's tensor-core
    /// convolution and persistent batch-norm kernels read without transposing. A tensor with C = 1 or H·W = 1 has the
    /// same bytes in both formats.</summary>
    ChannelsLast,
}

public static class MemoryFormats
{
    /// <summary>Whether <paramref name="shape"/> lies in memory the same way in both formats (rank 4 with C = 1 or
    /// H·W = 1), so a change of format is a change of label only.</summary>
    public static bool SameBytes(Shape shape) => shape.Rank == 4 && (shape[1] == 1 || (long)shape[2] * shape[3] == 1);

    /// <summary>The order of <paramref name="shape"/>'s axes in memory under <paramref name="format"/>: [N, H, W, C]
    /// for channels-last, the shape itself otherwise. A tensor is row-major in this shape.</summary>
    public static Shape Physical(Shape shape, MemoryFormat format) =>
        format == MemoryFormat.ChannelsLast ? new Shape(shape[0], shape[2], shape[3], shape[1]) : shape;

    /// <summary>Where logical axis <paramref name="axis"/> (resolved, non-negative) lies among the physical axes.</summary>
    public static int PhysicalAxis(int axis, MemoryFormat format) =>
        format != MemoryFormat.ChannelsLast ? axis : axis switch { 0 => 0, 1 => 3, _ => axis - 1 };
}
