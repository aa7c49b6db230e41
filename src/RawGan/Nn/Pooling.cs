using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Nn;

// The pooling layers: parameter-free modules over the pooling ops, named as in torch.nn (dilation 1, ceil_mode false).

/// <summary>torch.nn.MaxPool2d: <paramref name="stride"/> defaults to the kernel.</summary>
public sealed class MaxPool2d(int kernelSize, int? stride = null, int padding = 0) : Module
{
    public int KernelSize { get; } = kernelSize;
    public int Stride { get; } = stride ?? kernelSize;
    public int Padding { get; } = padding;
    public override Tensor Forward(Tensor input) => F.MaxPool2d(input, KernelSize, Stride, Padding);
}

/// <summary>torch.nn.AvgPool2d: <paramref name="stride"/> defaults to the kernel; with
/// <paramref name="countIncludePad"/> false the padding is left out of each mean (TensorFlow's pools).</summary>
public sealed class AvgPool2d(int kernelSize, int? stride = null, int padding = 0, bool countIncludePad = true) : Module
{
    public int KernelSize { get; } = kernelSize;
    public int Stride { get; } = stride ?? kernelSize;
    public int Padding { get; } = padding;
    public bool CountIncludePad { get; } = countIncludePad;
    public override Tensor Forward(Tensor input) => F.AvgPool2d(input, KernelSize, Stride, Padding, CountIncludePad);
}

/// <summary>torch.nn.AdaptiveAvgPool2d: averages to an output of the given size whatever the input's.</summary>
public sealed class AdaptiveAvgPool2d(int height, int width) : Module
{
    public AdaptiveAvgPool2d(int size) : this(size, size) { }

    public int Height { get; } = height;
    public int Width { get; } = width;
    public override Tensor Forward(Tensor input) => F.AdaptiveAvgPool2d(input, Height, Width);
}
