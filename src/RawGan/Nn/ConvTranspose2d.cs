using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Nn;

/// <summary>torch.nn.ConvTranspose2d: weight [in, out, k, k], bias [out]; output size
/// (H - 1)·stride - padding_before - padding_after + k + outputPadding.</summary>
public sealed class ConvTranspose2d : Module
{
    public ConvTranspose2d(int inChannels, int outChannels, int kernelSize, int stride = 1, Padding2d padding = default,
                           int outputPadding = 0, bool bias = true, Generator? generator = null)
    {
        if (inChannels <= 0 || outChannels <= 0 || kernelSize <= 0 || stride <= 0)
            throw new ArgumentOutOfRangeException(nameof(kernelSize), $"ConvTranspose2d({inChannels}, {outChannels}, kernel {kernelSize}, stride {stride}): sizes must be positive.");
        Stride = stride;
        Padding = padding;
        OutputPadding = outputPadding;
        // PyTorch computes fan_in from dim 1 of the weight, which for a transposed convolution is out_channels.
        int fanIn = outChannels * kernelSize * kernelSize;
        Init.PyTorchDefault(RegisterParameter("weight", Tensor.Empty(new Shape(inChannels, outChannels, kernelSize, kernelSize))), fanIn, generator);
        if (bias) Init.PyTorchDefault(RegisterParameter("bias", Tensor.Empty(new Shape(outChannels))), fanIn, generator);
        HasBias = bias;
    }

    /// <summary>TensorFlow's conv2d_transpose with 'same' padding: the output is exactly input·stride.</summary>
    public static ConvTranspose2d Same(int inChannels, int outChannels, int kernelSize, int stride, bool bias = true, Generator? generator = null) =>
        new(inChannels, outChannels, kernelSize, stride, Padding2d.SameTransposed(kernelSize, kernelSize, stride, stride), 0, bias, generator);

    public int Stride { get; }
    public Padding2d Padding { get; }
    public int OutputPadding { get; }
    public bool HasBias { get; }
    public Tensor Weight => Get("weight");
    public Tensor? Bias => HasBias ? Get("bias") : null;

    public override Tensor Forward(Tensor input) => F.ConvTranspose2d(input, Weight, Bias, Stride, Padding, OutputPadding);
}
