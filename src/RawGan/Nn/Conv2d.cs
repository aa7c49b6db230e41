using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Nn;

/// <summary>torch.nn.Conv2d: weight [out, in, k, k], bias [out]. Padding is symmetric unless a
/// <see cref="Padding2d"/> is given; <see cref="Same"/> pads as TensorFlow's 'same' for whatever input size comes.</summary>
public sealed class Conv2d : ConvLayer
{
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, Padding2d padding = default, bool bias = true, Generator? generator = null)
        : this(inChannels, outChannels, (kernelSize, kernelSize), stride, padding, bias, generator) { }

    /// <summary>A convolution with a kernel of <paramref name="kernelSize"/>.H rows and .W columns (Inception's
    /// 1×7 and 7×1), weight [out, in, H, W].</summary>
    public Conv2d(int inChannels, int outChannels, (int H, int W) kernelSize, int stride = 1, Padding2d padding = default, bool bias = true, Generator? generator = null)
        : base("Conv2d", [outChannels, inChannels, kernelSize.H, kernelSize.W], outChannels, inChannels * kernelSize.H * kernelSize.W, stride, padding, bias, generator) { }

    /// <summary>A convolution with TensorFlow's 'same' padding: output size ceil(input / stride), the padding
    /// worked out from each input's size (the odd row or column goes after).</summary>
    public static Conv2d Same(int inChannels, int outChannels, int kernelSize, int stride, bool bias = true, Generator? generator = null) =>
        new(inChannels, outChannels, kernelSize, stride, default, bias, generator) { SamePadding = true };

    public bool SamePadding { get; private init; }

    public override Tensor Forward(Tensor input)
    {
        Tensor w = Weight;
        Padding2d padding = SamePadding && input.Rank == 4
            ? Padding2d.Same(input.Shape[2], input.Shape[3], w.Shape[2], w.Shape[3], Stride, Stride)
            : Padding;
        return F.Conv2d(Formatted(input), w, Bias, Stride, padding);
    }
}
