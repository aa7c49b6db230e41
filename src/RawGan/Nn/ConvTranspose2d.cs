using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Nn;

/// <summary>torch.nn.ConvTranspose2d: weight [in, out, k, k], bias [out]; output size
/// (H - 1)·stride - padding_before - padding_after + k + outputPadding.</summary>
public sealed class ConvTranspose2d(int inChannels, int outChannels, int kernelSize, int stride = 1, Padding2d padding = default,
                                    int outputPadding = 0, bool bias = true, Generator? generator = null)
    : ConvLayer("ConvTranspose2d", [inChannels, outChannels, kernelSize, kernelSize], outChannels, outChannels * kernelSize * kernelSize,
                stride, padding, bias, generator)
{
    /// <summary>TensorFlow's conv2d_transpose with 'same' padding: the output is exactly input·stride.</summary>
    public static ConvTranspose2d Same(int inChannels, int outChannels, int kernelSize, int stride, bool bias = true, Generator? generator = null) =>
        new(inChannels, outChannels, kernelSize, stride, Padding2d.SameTransposed(kernelSize, kernelSize, stride, stride), 0, bias, generator);

    public int OutputPadding { get; } = outputPadding;

    public override Tensor Forward(Tensor input) => F.ConvTranspose2d(Formatted(input), Weight, Bias, Stride, Padding, OutputPadding);
}
