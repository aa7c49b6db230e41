using RawGan.Backends;
using RawGan.Backends.Cpu;
using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Nn;

/// <summary>
/// A Linear or ConvTranspose2d layer (what generators are made of) with the eval-mode BatchNorm that followed it folded into its weight
/// and bias, and the activation that followed applied over its output in place: one layer where eager eval ran
/// three passes. Built by <see cref="Fusion.Fold"/> from a copy of the weights; inference only (no gradients).
/// On the CPU a float32 transposed convolution runs as <see cref="FusedConvTranspose"/>: the sub-pixel products with
/// bias and activation in their epilogue, one pass where the above still runs the product, col2im, the bias and
/// the activation.
/// </summary>
public sealed class FusedLayer : Module
{
    private readonly Module _layer;
    private readonly Tensor _weight;
    private readonly Tensor? _bias;
    private readonly QuantizedMatrix? _quantized;
    private readonly FusedConvTranspose? _fused;

    internal FusedLayer(Module layer, Tensor weight, Tensor? bias, UnaryOp? activation, double alpha, QuantizedMatrix? quantized = null,
                        FusedConvTranspose? fused = null)
    {
        _layer = layer;
        _weight = weight;
        _bias = bias;
        _quantized = quantized;
        _fused = fused;
        Activation = activation;
        Alpha = alpha;
    }

    /// <summary>The activation fused after the layer, or null.</summary>
    public UnaryOp? Activation { get; }

    /// <summary>The activation's parameter (LeakyReLU's slope).</summary>
    public double Alpha { get; }

    /// <summary>How the transposed convolution's weight is held (<see cref="Fusion.Fold"/>'s quantisation).</summary>
    public Quantization Quantization => _quantized?.Kind ?? Quantization.None;

    public override Tensor Forward(Tensor input)
    {
        if (_layer is ConvTranspose2d c && _fused is not null && input.Backend is CpuBackend && input.DType == DType.Float32)
            return F.ConvTranspose2dFused(input, _weight, _fused, (c.Stride, c.Stride), c.Padding, (c.OutputPadding, c.OutputPadding));
        Tensor y = _layer switch
        {
            ConvTranspose2d t when _quantized is not null =>
                F.ConvTranspose2dQuantized(input, _weight, _quantized, _bias, (t.Stride, t.Stride), t.Padding, (t.OutputPadding, t.OutputPadding)),
            ConvTranspose2d t => F.ConvTranspose2d(input, _weight, _bias, t.Stride, t.Padding, t.OutputPadding),
            _ => F.Linear(input, _weight, _bias),
        };
        if (Activation is UnaryOp op) y.Backend.Unary(op, Alpha, y, y);
        return y;
    }
}
