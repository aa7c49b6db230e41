using RawGan.Tensors;

namespace RawGan.Backends.Cpu.Reference;

public sealed partial class ReferenceBackend
{
    public void Gemm(bool transA, bool transB, double alpha, Tensor a, Tensor b, double beta, Tensor c)
    {
        int m = c.Shape[0], n = c.Shape[1], k = transA ? a.Shape[0] : a.Shape[1];
        if (c.DType == DType.Float32) ReferenceDense.Gemm(transA, transB, m, n, k, (float)alpha, F<float>(a), F<float>(b), (float)beta, F<float>(c));
        else ReferenceDense.Gemm(transA, transB, m, n, k, alpha, F<double>(a), F<double>(b), beta, F<double>(c));
    }

    public void Conv2d(ConvGeometry g, Tensor x, Tensor w, Tensor y)
    {
        if (y.DType == DType.Float32) ReferenceDense.Conv2d(g, F<float>(x), F<float>(w), F<float>(y));
        else ReferenceDense.Conv2d(g, F<double>(x), F<double>(w), F<double>(y));
    }

    public void Conv2dBackwardData(ConvGeometry g, Tensor dy, Tensor w, Tensor dx)
    {
        if (dx.DType == DType.Float32) ReferenceDense.Conv2dBackwardData(g, F<float>(dy), F<float>(w), F<float>(dx));
        else ReferenceDense.Conv2dBackwardData(g, F<double>(dy), F<double>(w), F<double>(dx));
    }

    public void Conv2dBackwardFilter(ConvGeometry g, Tensor x, Tensor dy, Tensor dw)
    {
        if (dw.DType == DType.Float32) ReferenceDense.Conv2dBackwardFilter(g, F<float>(x), F<float>(dy), F<float>(dw));
        else ReferenceDense.Conv2dBackwardFilter(g, F<double>(x), F<double>(dy), F<double>(dw));
    }
}
