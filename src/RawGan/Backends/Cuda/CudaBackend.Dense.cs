using RawGan.Tensors;
using static RawGan.Backends.Cuda.CudaCheck;

namespace RawGan.Backends.Cuda;

public sealed partial class CudaBackend
{
    /// <summary>Row-major C = alpha·op(A)·op(B) + beta·C on cuBLAS, which is column-major: a row-major [r, c]
    /// matrix is a column-major [c, r] one, its transpose, so the call computes Cᵀ = op(B)ᵀ·op(A)ᵀ with the
    /// operands swapped and the same transpose flags (m and n swap; each leading dimension is the stored row length).</summary>
    public unsafe void Gemm(bool transA, bool transB, double alpha, Tensor a, Tensor b, double beta, Tensor c)
    {
        RequireFloat32("gemm", c);
        int m = c.Shape[0], n = c.Shape[1], k = transA ? a.Shape[0] : a.Shape[1];
        if (m == 0 || n == 0) return;
        MakeCurrent();
        float al = (float)alpha, be = (float)beta;
        int lda = Math.Max(1, transA ? m : k); // A stored [m, k], or [k, m] when transposed
        int ldb = Math.Max(1, transB ? k : n); // B stored [k, n], or [n, k]
        lock (Resources.LibraryGate) // a cuBLAS handle is not for concurrent use from several threads
        {
            Resources.SetCublasMathMode(Precision == Precision.Tf32 ? Interop.Cublas.Tf32TensorOpMath : Interop.Cublas.DefaultMath);
            CheckCublas(Api.cublasSgemm(Resources.Cublas,
                transB ? Interop.Cublas.OpT : Interop.Cublas.OpN,
                transA ? Interop.Cublas.OpT : Interop.Cublas.OpN,
                n, m, k, &al, Ptr(b), ldb, Ptr(a), lda, &be, Ptr(c), n));
        }
    }

    /// <summary>cuBLAS's version as major·10000 + minor·100 + patch (from cublasGetVersion_v2).</summary>
    public int CublasVersion
    {
        get
        {
            MakeCurrent();
            int v;
            lock (Resources.LibraryGate) CheckCublas(Api.cublasGetVersion(Resources.Cublas, out v));
            return v;
        }
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
