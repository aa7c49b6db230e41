using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Nn;

/// <summary>torch.nn.Conv2d: weight [out, in, k, k], bias [out]. Padding is symmetric unless a
/// <see cref="Padding2d"/> is given; <see cref="Same"/> pads as TensorFlow's 'same' for whatever input size comes.</summary>
public sealed class Conv2d : Module
{
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, Padding2d padding = default, bool bias = true, Generator? generator = null)
    {
        if (inChannels <= 0 || outChannels <= 0 || kernelSize <= 0 || stride <= 0)
            throw new ArgumentOutOfRangeException(nameof(kernelSize), $"Conv2d({inChannels}, {outChannels}, kernel {kernelSize}, stride {stride}): sizes must be positive.");
        Stride = stride;
        Padding = padding;
        int fanIn = inChannels * kernelSize * kernelSize;
        Init.PyTorchDefault(RegisterParameter("weight", Tensor.Empty(new Shape(outChannels, inChannels, kernelSize, kernelSize))), fanIn, generator);
        if (bias) Init.PyTorchDefault(RegisterParameter("bias", Tensor.Empty(new Shape(outChannels))), fanIn, generator);
        HasBias = bias;
    }

    /// <summary>A convolution with TensorFlow's 'same' padding: output size ceil(input / stride), the padding
    /// worked out from each input's size (the odd row or column goes after).</summary>
    public static Conv2d Same(int inChannels, int outChannels, int kernelSize, int stride, bool bias = true, Generator? generator = null) =>
        new(inChannels, outChannels, kernelSize, stride, default, bias, generator) { SamePadding = true };

    public int Stride { get; }
    public Padding2d Padding { get; }
    public bool SamePadding { get; private init; }
    public bool HasBias { get; }
    public Tensor Weight => Get("weight");
    public Tensor? Bias => HasBias ? Get("bias") : null;

    public override Tensor Forward(Tensor input)
    {
        Tensor w = Weight;
        Padding2d padding = SamePadding && input.Rank == 4
            ? Padding2d.Same(input.Shape[2], input.Shape[3], w.Shape[2], w.Shape[3], Stride, Stride)
            : Padding;
        return F.Conv2d(input, w, Bias, Stride, padding);
    }
}
