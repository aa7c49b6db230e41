using RawGan.Tensors;

namespace RawGan.Backends.Cpu;

// Float32 on the default backend takes the fast paths (SIMD GEMM, im2col convolutions); float64 and the reference
// backend keep the naive loops the fast paths are tested against.
public sealed unsafe partial class CpuBackend
{
    public void Gemm(bool transA, bool transB, double alpha, Tensor a, Tensor b, double beta, Tensor c)
    {
        int m = c.Shape[0], n = c.Shape[1], k = transA ? a.Shape[0] : a.Shape[1];
        Dense(a, b, c,
            (x, y, z) => ReferenceDense.Gemm(transA, transB, m, n, k, alpha, x, y, beta, z),
            (x, y, z) => ReferenceDense.Gemm(transA, transB, m, n, k, (float)alpha, x, y, (float)beta, z),
            (x, y, z) => Sgemm.Multiply(transA, transB, m, n, k, (float)alpha, x, transA ? m : k, y, transB ? k : n, (float)beta, z, n));
    }

    private delegate void FastKernel(float* a, float* b, float* c);

    /// <summary>Runs a two-input, one-output dense primitive on the tier that fits the dtype and the backend.</summary>
    private void Dense(Tensor a, Tensor b, Tensor c, Action<double[], double[], double[]> reference64,
                       Action<float[], float[], float[]> reference32, FastKernel fast)
    {
        if (c.DType == DType.Float64) reference64(F<double>(a), F<double>(b), F<double>(c));
        else if (_reference) reference32(F<float>(a), F<float>(b), F<float>(c));
        else
            fixed (float* pa = F<float>(a), pb = F<float>(b), pc = F<float>(c))
                fast(pa, pb, pc);
    }
}
