using RawGan.Tensors;
using static RawGan.Backends.Cuda.CudaCheck;
using static RawGan.Backends.Cuda.KernelArg;

namespace RawGan.Backends.Cuda;

/// <summary>The bindings of kernels/elementwise.ptx (parameter lists as its comment blocks give them).</summary>
internal static class ElementwiseKernels
{
    public const string File = "elementwise.ptx";

    private static readonly string[] UnaryNames =
        ["neg", "exp", "log", "sqrt", "abs", "relu", "leaky_relu", "tanh", "sigmoid", "scale", "add_scalar", "pow"];

    /// <summary>&lt;op&gt;_fwd_f32(.u64 x, .u64 y, .u64 n, .f32 alpha), indexed by <see cref="UnaryOp"/>.</summary>
    public static readonly KernelSpec[] UnaryForward =
        UnaryNames.Select(n => new KernelSpec(File, $"{n}_fwd_f32", "u64", "u64", "u64", "f32")).ToArray();

    /// <summary>&lt;op&gt;_bwd_f32(.u64 x, .u64 y, .u64 dy, .u64 dx, .u64 n, .f32 alpha).</summary>
    public static readonly KernelSpec[] UnaryBackward =
        UnaryNames.Select(n => new KernelSpec(File, $"{n}_bwd_f32", "u64", "u64", "u64", "u64", "u64", "f32")).ToArray();

    private static readonly string[] BinaryNames = ["add", "sub", "mul", "div"];

    /// <summary>&lt;op&gt;_f32(.u64 a, .u64 b, .u64 c, .u64 n), indexed by <see cref="BinaryOp"/>.</summary>
    public static readonly KernelSpec[] Binary =
        BinaryNames.Select(n => new KernelSpec(File, $"{n}_f32", "u64", "u64", "u64", "u64")).ToArray();

    /// <summary>&lt;op&gt;_bcast_f32(.u64 a, b, c, d0..d3, sa0..sa3, sb0..sb3): 15 × .u64.</summary>
    public static readonly KernelSpec[] BinaryBroadcast =
        BinaryNames.Select(n => new KernelSpec(File, $"{n}_bcast_f32", Enumerable.Repeat("u64", 15).ToArray())).ToArray();

    /// <summary>fill_f32(.u64 y, .u64 n, .b32 value).</summary>
    public static readonly KernelSpec Fill = new(File, "fill_f32", "u64", "u64", "b32");

    /// <summary>copy2d_f32(.u64 src, src_offset, src_stride, dst, dst_offset, dst_stride, rows, count).</summary>
    public static readonly KernelSpec Copy2D = new(File, "copy2d_f32", "u64", "u64", "u64", "u64", "u64", "u64", "u64", "u64");
}

public sealed partial class CudaBackend
{
    internal const uint Block = 256;

    /// <summary>Grid for a grid-stride loop over <paramref name="units"/> work items (elements or quads) with
    /// 256-thread blocks: enough blocks for one unit per thread, capped at 32 per multiprocessor (the kernels'
    /// recommended launch shape; any grid is correct).</summary>
    internal uint Grid(long units) => (uint)Math.Clamp((units + Block - 1) / Block, 1, 32L * Info.Multiprocessors);

    /// <summary>Grid for a quad loop over <paramref name="n"/> elements (4 per unit).</summary>
    internal uint QuadGrid(long n) => Grid((n + 3) / 4);

    public void Unary(UnaryOp op, double alpha, Tensor x, Tensor y)
    {
        RequireFloat32("unary " + op, x);
        long n = x.Numel;
        if (n == 0) return;
        Kernels.Launch(ElementwiseKernels.UnaryForward[(int)op], QuadGrid(n), Block, U64(Ptr(x)), U64(Ptr(y)), U64(n), F32(alpha));
    }

    public void UnaryBackward(UnaryOp op, double alpha, Tensor x, Tensor y, Tensor dy, Tensor dx)
    {
        RequireFloat32("unary backward " + op, dy);
        long n = dy.Numel;
        if (n == 0) return;
        Kernels.Launch(ElementwiseKernels.UnaryBackward[(int)op], QuadGrid(n), Block,
            U64(Ptr(x)), U64(Ptr(y)), U64(Ptr(dy)), U64(Ptr(dx)), U64(n), F32(alpha));
    }

    public void Binary(BinaryOp op, Tensor a, Tensor b, Tensor c)
    {
        RequireFloat32("binary " + op, c);
        long n = c.Numel;
        if (n == 0) return;
        if (a.Shape == c.Shape && b.Shape == c.Shape)
        {
            // Quad loop: in place (c == a or b) is fine, each element is read before the same thread writes it.
            Kernels.Launch(ElementwiseKernels.Binary[(int)op], QuadGrid(n), Block, U64(Ptr(a)), U64(Ptr(b)), U64(Ptr(c)), U64(n));
            return;
        }
        // Ops add biases in place (y = y + bias): an operand of c's own shape in c's storage is read at the same
        // index, by the same thread, just before that element is written, which is safe. A broadcast operand in c's
        // storage would be read after other threads overwrote it: compute into a scratch buffer and copy back.
        bool aliased = (ReferenceEquals(c.Storage, a.Storage) && a.Shape != c.Shape) ||
                       (ReferenceEquals(c.Storage, b.Storage) && b.Shape != c.Shape);
        if (!aliased)
        {
            BroadcastBinary(op, a, b, Ptr(c), c.Shape);
            return;
        }
        using ScratchBuffer tmp = Scratch(n * sizeof(float));
        BroadcastBinary(op, a, b, tmp.Pointer, c.Shape);
        CudaCheck.Check(Api.cuMemcpyDtoDAsync(Ptr(c), tmp.Pointer, (nuint)(n * sizeof(float)), Stream));
    }

    /// <summary>Brings c's shape to at most 4 axes as elementwise.ptx's broadcast entries ask (drop size-1 axes,
    /// merge axes across which both operands are contiguous, pad on the left), launching once per index of any
    /// leading axes beyond 4.</summary>
    private void BroadcastBinary(BinaryOp op, Tensor a, Tensor b, ulong c, Shape cShape)
    {
        var (dims, sa, sb) = CollapseBroadcast(cShape, a.Shape, b.Shape);
        KernelSpec spec = ElementwiseKernels.BinaryBroadcast[(int)op];
        int lead = dims.Length - 4;
        long inner = dims[lead] * dims[lead + 1] * dims[lead + 2] * dims[lead + 3];
        long outerCount = 1;
        for (int i = 0; i < lead; i++) outerCount *= dims[i];
        long[] cStrides = ContiguousStrides(dims);
        ulong pa = Ptr(a), pb = Ptr(b);
        var index = new long[Math.Max(lead, 0)];
        for (long o = 0; o < outerCount; o++)
        {
            long offA = 0, offB = 0, offC = 0;
            for (int i = 0; i < lead; i++)
            {
                offA += index[i] * sa[i];
                offB += index[i] * sb[i];
                offC += index[i] * cStrides[i];
            }
            Kernels.Launch(spec, QuadGrid(inner), Block,
                U64(pa + (ulong)offA * 4), U64(pb + (ulong)offB * 4), U64(c + (ulong)offC * 4),
                U64(dims[lead]), U64(dims[lead + 1]), U64(dims[lead + 2]), U64(dims[lead + 3]),
                U64(sa[lead]), U64(sa[lead + 1]), U64(sa[lead + 2]), U64(sa[lead + 3]),
                U64(sb[lead]), U64(sb[lead + 1]), U64(sb[lead + 2]), U64(sb[lead + 3]));
            for (int i = lead - 1; i >= 0; i--) // odometer over the leading axes
            {
                if (++index[i] < dims[i]) break;
                index[i] = 0;
            }
        }
    }

    /// <summary>c's axes with both operands' strides read as c's shape (0 where an operand has size 1 or lacks the
    /// axis), size-1 axes dropped, adjacent axes merged where both operands are contiguous across them, and padded
    /// on the left to at least 4 axes with size 1, stride 0.</summary>
    internal static (long[] Dims, long[] Sa, long[] Sb) CollapseBroadcast(Shape c, Shape a, Shape b)
    {
        long[] sa = a.BroadcastStrides(c), sb = b.BroadcastStrides(c);
        var dims = new List<long>();
        var la = new List<long>();
        var lb = new List<long>();
        for (int i = 0; i < c.Rank; i++)
        {
            if (c[i] == 1) continue;
            int last = dims.Count - 1;
            if (last >= 0 && la[last] == sa[i] * c[i] && lb[last] == sb[i] * c[i])
            {
                dims[last] *= c[i];
                la[last] = sa[i];
                lb[last] = sb[i];
                continue;
            }
            dims.Add(c[i]);
            la.Add(sa[i]);
            lb.Add(sb[i]);
        }
        while (dims.Count < 4)
        {
            dims.Insert(0, 1);
            la.Insert(0, 0);
            lb.Insert(0, 0);
        }
        return (dims.ToArray(), la.ToArray(), lb.ToArray());
    }

    private static long[] ContiguousStrides(long[] dims)
    {
        var st = new long[dims.Length];
        long s = 1;
        for (int i = dims.Length - 1; i >= 0; i--)
        {
            st[i] = s;
            s *= dims[i];
        }
        return st;
    }

    private bool Copy2DKernel(ulong src, long srcStride, ulong dst, long dstStride, long rows, long count)
    {
        Kernels.Launch(ElementwiseKernels.Copy2D, Grid(rows * count), Block,
            U64(src), U64(0L), U64(srcStride), U64(dst), U64(0L), U64(dstStride), U64(rows), U64(count));
        return true;
    }

    /// <summary>fill_f32 writes a 32-bit pattern: a float's bits for float32, an int's for int32.</summary>
    public void Fill(Tensor destination, double value)
    {
        long n = destination.Numel;
        if (n == 0) return;
        MakeCurrent();
        Written(destination.Storage);
        uint bits = destination.DType switch
        {
            DType.Float32 => BitConverter.SingleToUInt32Bits((float)value),
            DType.Int32 => (uint)(int)value,
            _ => value == 0 ? 0u : throw Float64NotSupported("fill", destination.DType),
        };
        if (destination.DType == DType.Float64)
        {
            Check(Api.cuMemsetD8Async(Ptr(destination), 0, (nuint)(n * 8), Stream));
            return;
        }
        Kernels.Launch(ElementwiseKernels.Fill, QuadGrid(n), Block, KernelArg.U64(Ptr(destination)), KernelArg.U64(n), KernelArg.B32(bits));
    }

    // ---- strided copies ----------------------------------------------------------------------------------------
    public void Copy2D(Tensor source, long sourceOffset, long sourceStride, Tensor destination, long destinationOffset,
                       long destinationStride, long rows, long count)
    {
        if (rows <= 0 || count <= 0) return;
        MakeCurrent();
        Written(destination.Storage);
        int es = source.DType.SizeInBytes();
        ulong src = Ptr(source) + (ulong)(sourceOffset * es), dst = Ptr(destination) + (ulong)(destinationOffset * es);
        if (rows == 1 || (sourceStride == count && destinationStride == count))
        {
            Check(Api.cuMemcpyDtoDAsync(dst, src, (nuint)(rows * count * es), Stream));
            return;
        }
        if (es == 4 && Copy2DKernel(src, sourceStride, dst, destinationStride, rows, count)) return;
        CopyStrided3D(src, 0, sourceStride * es, 0, dst, destinationStride * es, 0, count * es, rows, 1);
    }

    /// <summary>
    /// A 3-D strided copy on the driver's copy path (cuMemcpy3DAsync): <paramref name="depth"/> slices of
    /// <paramref name="height"/> rows of <paramref name="widthBytes"/> bytes, with the given row pitches and slice
    /// heights (in rows) on each side. Used for Copy2D's fallback and for padding / cropping convolution inputs.
    /// </summary>
    internal unsafe void CopyStrided3D(ulong src, long srcY, long srcPitch, long srcHeight, ulong dst, long dstPitch, long dstHeight,
                                       long widthBytes, long height, long depth, long dstXBytes = 0, long dstY = 0, long srcXBytes = 0)
    {
        var copy = new CudaMemcpy3D
        {
            SrcMemoryType = CudaMemcpy3D.MemoryTypeDevice,
            SrcDevice = src,
            SrcXInBytes = (nuint)srcXBytes,
            SrcY = (nuint)srcY,
            SrcPitch = (nuint)srcPitch,
            SrcHeight = (nuint)Math.Max(srcHeight, height),
            DstMemoryType = CudaMemcpy3D.MemoryTypeDevice,
            DstDevice = dst,
            DstXInBytes = (nuint)dstXBytes,
            DstY = (nuint)dstY,
            DstPitch = (nuint)dstPitch,
            DstHeight = (nuint)Math.Max(dstHeight, height),
            WidthInBytes = (nuint)widthBytes,
            Height = (nuint)height,
            Depth = (nuint)depth,
        };
        Check(Api.cuMemcpy3DAsync(&copy, Stream));
    }
}
