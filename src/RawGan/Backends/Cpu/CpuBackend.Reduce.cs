using RawGan.Tensors;

namespace RawGan.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void SumTo(Tensor x, Tensor y)
    {
        if (x.DType == DType.Float32) Elementwise.SumTo(F<float>(x), x.Shape, F<float>(y), y.Shape);
        else Elementwise.SumTo(F<double>(x), x.Shape, F<double>(y), y.Shape);
    }
}
