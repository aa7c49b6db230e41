using RawGan.Backends.Cpu.Reference;
using RawGan.Tensors;

namespace RawGan.Backends.Cpu;

// Convolutions on the tiers of Dense (CpuBackend.Dense.cs): im2col and the SIMD GEMM for float32, the reference's
// loops for float64; CudaBackend.Conv.cs runs them on cuDNN.
public sealed unsafe partial class CpuBackend
{
    public void Conv2d(ConvGeometry g, Tensor x, Tensor w, Tensor y) => Dense(x, w, y,
        (a, b, c) => ReferenceDense.Conv2d(g, a, b, c), (a, b, c) => FastConv.Forward(g, a, b, c));

    public void Conv2dBackwardData(ConvGeometry g, Tensor dy, Tensor w, Tensor dx) => Dense(dy, w, dx,
        (a, b, c) => ReferenceDense.Conv2dBackwardData(g, a, b, c),
        (a, b, c) => FastConv.BackwardData(g, a, b, c));

    /// <summary>A transposed convolution's forward (<see cref="Conv2dBackwardData"/>) with its float32 weight held
    /// quantised: inference only, float32 tensors only.</summary>
    public void Conv2dBackwardDataQuantized(ConvGeometry g, Tensor dy, QuantizedMatrix w, Tensor dx)
    {
        if (dy.DType != DType.Float32 || dx.DType != DType.Float32)
            throw new ArgumentException($"Quantised weights run with float32 activations, not {dy.DType}.");
        fixed (float* pdy = F<float>(dy), pdx = F<float>(dx))
            FastConv.BackwardData(g, pdy, null, pdx, w);
    }

    /// <summary>An eval-mode transposed convolution with its bias and activation fused (<see cref="FusedConvTranspose"/>):
    /// inference only, float32 tensors only.</summary>
    internal void ConvTranspose2dFused(ConvGeometry g, Tensor x, FusedConvTranspose layer, Tensor y)
    {
        if (x.DType != DType.Float32 || y.DType != DType.Float32)
            throw new ArgumentException($"The fused transposed convolution runs in float32, not {x.DType}.");
        fixed (float* px = F<float>(x), py = F<float>(y))
            layer.Forward(g, px, py);
    }

    public void Conv2dBackwardFilter(ConvGeometry g, Tensor x, Tensor dy, Tensor dw) => Dense(x, dy, dw,
        (a, b, c) => ReferenceDense.Conv2dBackwardFilter(g, a, b, c),
        (a, b, c) => FastConv.BackwardFilter(g, a, b, c));
}
