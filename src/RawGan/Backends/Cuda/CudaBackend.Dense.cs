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
        if (Precision == Precision.Bf16)
        {
            GemmBFloat16(transA, transB, m, n, k, al, Ptr(a), lda, Ptr(b), ldb, be, Ptr(c));
            return;
        }
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
}
