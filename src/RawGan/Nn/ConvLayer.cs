using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Nn;

/// <summary>What Conv2d and ConvTranspose2d share: a 4-D weight and an optional bias with PyTorch's default
/// initialisation, a stride and a padding.</summary>
public abstract class ConvLayer : Module
{
    /// <summary>The weight is [out, in, k, k] for a convolution, [in, out, k, k] for a transposed one; PyTorch
    /// computes the fan-in for its initialisation from dim 1 of the weight: in·k² for a convolution, out·k² for a
    /// transposed one.</summary>
    protected ConvLayer(string name, int[] weightShape, int outChannels, int fanIn, int stride, Padding2d padding, bool bias, Generator? generator)
    {
        if (weightShape.Any(d => d <= 0) || stride <= 0)
            throw new ArgumentOutOfRangeException(nameof(weightShape),
                $"{name}(channels {weightShape[0]} and {weightShape[1]}, kernel {weightShape[2]}, stride {stride}): sizes must be positive.");
        Stride = stride;
        Padding = padding;
        Init.PyTorchDefault(RegisterParameter("weight", Tensor.Empty(new Shape(weightShape))), fanIn, generator);
        if (bias) Init.PyTorchDefault(RegisterParameter("bias", Tensor.Empty(new Shape(outChannels))), fanIn, generator);
        HasBias = bias;
    }

    /// <summary>The memory format this layer's input is converted to before it convolves (and so its output's), or
    /// null to take the input as it comes. Set by <see cref="Module.ToMemoryFormat"/>.</summary>
    public MemoryFormat? InputFormat { get; set; }

    /// <summary>The input in <see cref="InputFormat"/>.</summary>
    protected Tensor Formatted(Tensor input) => InputFormat is { } f && input.Rank == 4 ? F.ToMemoryFormat(input, f) : input;

    public int Stride { get; }
    public Padding2d Padding { get; }
    public bool HasBias { get; }
    public Tensor Weight => Get("weight");
    public Tensor? Bias => HasBias ? Get("bias") : null;
}
