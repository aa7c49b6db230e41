using RawGan.Tensors;

namespace RawGan.Backends.Cpu;

// Float32 on the default backend takes the fast paths (SIMD GEMM, im2col convolutions); float64 and the reference
// backend keep the naive loops the fast paths are tested against.
public sealed unsafe partial class CpuBackend
{
    public void Gemm(bool transA, bool transB, double alpha, Tensor a, Tensor b, double beta, Tensor c)
    {
        int m = c.Shape[0], n = c.Shape[1], k = transA ? a.Shape[0] : a.Shape[1];
        if (c.DType == DType.Float64)
            ReferenceDense.Gemm(transA, transB, m, n, k, alpha, F<double>(a), F<double>(b), beta, F<double>(c));
        else if (_reference)
            ReferenceDense.Gemm(transA, transB, m, n, k, (float)alpha, F<float>(a), F<float>(b), (float)beta, F<float>(c));
        else
            fixed (float* pa = F<float>(a), pb = F<float>(b), pc = F<float>(c))
                Sgemm.Multiply(transA, transB, m, n, k, (float)alpha, pa, transA ? m : k, pb, transB ? k : n,
                               (float)beta, pc, n);
    }

    public void Conv2d(ConvGeometry g, Tensor x, Tensor w, Tensor y)
    {
        if (x.DType == DType.Float64) ReferenceDense.Conv2d(g, F<double>(x), F<double>(w), F<double>(y));
        else if (_reference) ReferenceDense.Conv2d(g, F<float>(x), F<float>(w), F<float>(y));
        else
            fixed (float* px = F<float>(x), pw = F<float>(w), py = F<float>(y))
                FastConv.Forward(g, px, pw, py);
    }

    public void Conv2dBackwardData(ConvGeometry g, Tensor dy, Tensor w, Tensor dx)
    {
        if (dy.DType == DType.Float64) ReferenceDense.Conv2dBackwardData(g, F<double>(dy), F<double>(w), F<double>(dx));
        else if (_reference) ReferenceDense.Conv2dBackwardData(g, F<float>(dy), F<float>(w), F<float>(dx));
        else
            fixed (float* pdy = F<float>(dy), pw = F<float>(w), pdx = F<float>(dx))
                FastConv.BackwardData(g, pdy, pw, pdx);
    }

    public void Conv2dBackwardFilter(ConvGeometry g, Tensor x, Tensor dy, Tensor dw)
    {
        if (x.DType == DType.Float64) ReferenceDense.Conv2dBackwardFilter(g, F<double>(x), F<double>(dy), F<double>(dw));
        else if (_reference) ReferenceDense.Conv2dBackwardFilter(g, F<float>(x), F<float>(dy), F<float>(dw));
        else
            fixed (float* px = F<float>(x), pdy = F<float>(dy), pdw = F<float>(dw))
                FastConv.BackwardFilter(g, px, pdy, pdw);
    }
}
