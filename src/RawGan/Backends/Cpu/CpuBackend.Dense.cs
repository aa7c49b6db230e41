using RawGan.Tensors;

namespace RawGan.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void Gemm(bool transA, bool transB, double alpha, Tensor a, Tensor b, double beta, Tensor c)
    {
        int m = c.Shape[0], n = c.Shape[1], k = transA ? a.Shape[0] : a.Shape[1];
        if (c.DType == DType.Float64)
            ReferenceDense.Gemm(transA, transB, m, n, k, alpha, F<double>(a), F<double>(b), beta, F<double>(c));
        else
            ReferenceDense.Gemm(transA, transB, m, n, k, (float)alpha, F<float>(a), F<float>(b), (float)beta, F<float>(c));
    }

    public void Conv2d(ConvGeometry g, Tensor x, Tensor w, Tensor y)
    {
        if (x.DType == DType.Float64) ReferenceDense.Conv2d(g, F<double>(x), F<double>(w), F<double>(y));
        else ReferenceDense.Conv2d(g, F<float>(x), F<float>(w), F<float>(y));
    }

    public void Conv2dBackwardData(ConvGeometry g, Tensor dy, Tensor w, Tensor dx)
    {
        if (dy.DType == DType.Float64) ReferenceDense.Conv2dBackwardData(g, F<double>(dy), F<double>(w), F<double>(dx));
        else ReferenceDense.Conv2dBackwardData(g, F<float>(dy), F<float>(w), F<float>(dx));
    }

    public void Conv2dBackwardFilter(ConvGeometry g, Tensor x, Tensor dy, Tensor dw)
    {
        if (x.DType == DType.Float64) ReferenceDense.Conv2dBackwardFilter(g, F<double>(x), F<double>(dy), F<double>(dw));
        else ReferenceDense.Conv2dBackwardFilter(g, F<float>(x), F<float>(dy), F<float>(dw));
    }
}
