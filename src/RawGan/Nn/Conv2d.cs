using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Nn;

/// <summary>torch.nn.Conv2d: weight [out, in, k, k], bias [out]. Padding is symmetric unless a
/// <see cref="Padding2d"/> is given; <see cref="Same"/> builds TensorFlow's 'same' padding for a known input size.</summary>
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

    /// <summary>A convolution with TensorFlow's 'same' padding for inputs of size <paramref name="inputSize"/>.</summary>
    public static Conv2d Same(int inChannels, int outChannels, int kernelSize, int stride, int inputSize, bool bias = true, Generator? generator = null) =>
        new(inChannels, outChannels, kernelSize, stride, Padding2d.Same(inputSize, inputSize, kernelSize, kernelSize, stride, stride), bias, generator);

    public int Stride { get; }
    public Padding2d Padding { get; }
    public bool HasBias { get; }
    public Tensor Weight => Get("weight");
    public Tensor? Bias => HasBias ? Get("bias") : null;

    public override Tensor Forward(Tensor input) => F.Conv2d(input, Weight, Bias, Stride, Padding);
}
