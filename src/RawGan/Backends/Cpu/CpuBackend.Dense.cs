using RawGan.Backends.Cpu.Reference;
using RawGan.Tensors;

namespace RawGan.Backends.Cpu;

// Float32 takes the fast paths (SIMD GEMM, im2col convolutions); float64 has none and runs the reference's loops.
public sealed unsafe partial class CpuBackend
{
    public void Gemm(bool transA, bool transB, double alpha, Tensor a, Tensor b, double beta, Tensor c)
    {
        int m = c.Shape[0], n = c.Shape[1], k = transA ? a.Shape[0] : a.Shape[1];
        Dense(a, b, c,
            (x, y, z) => ReferenceDense.Gemm(transA, transB, m, n, k, alpha, x, y, beta, z),
            (x, y, z) => Sgemm.Multiply(transA, transB, m, n, k, (float)alpha, x, transA ? m : k, y, transB ? k : n, (float)beta, z, n));
    }

    private delegate void FastKernel(float* a, float* b, float* c);

    /// <summary>Runs a two-input, one-output dense primitive: the float64 loops or the float32 fast kernel.</summary>
    private static void Dense(Tensor a, Tensor b, Tensor c, Action<double[], double[], double[]> reference64, FastKernel fast)
    {
        if (c.DType == DType.Float64) reference64(F<double>(a), F<double>(b), F<double>(c));
        else
            fixed (float* pa = F<float>(a), pb = F<float>(b), pc = F<float>(c))
                fast(pa, pb, pc);
    }
}
