using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Tests.Ops;

/// <summary>Pooling and resizing refuse what PyTorch refuses, with messages naming the op and the sizes.</summary>
public class PoolingBadInputTests
{
    private static readonly Tensor Image = Tensor.Zeros(new Shape(1, 2, 5, 5));

    [Fact]
    public void Padding_over_half_the_kernel_is_refused() =>
        Assert.Contains("max_pool2d: padding (2, 2) must be at most half the kernel (3, 3)",
            Assert.Throws<ArgumentException>(() => F.MaxPool2d(Image, 3, 1, 2)).Message);

    [Fact]
    public void A_kernel_larger_than_the_padded_input_is_refused() =>
        Assert.Contains("avg_pool2d: the 8×8 kernel is larger than the padded input 7×7",
            Assert.Throws<ArgumentException>(() => F.AvgPool2d(Image, 8, 1, 1)).Message);

    [Fact]
    public void Images_must_be_four_dimensional_and_sizes_positive()
    {
        Assert.Contains("rank 4", Assert.Throws<ArgumentException>(() => F.MaxPool2d(Tensor.Zeros(new Shape(2, 5, 5)), 2)).Message);
        Assert.Contains("interpolate: output size 0×7 must be positive", Assert.Throws<ArgumentException>(() => F.Interpolate(Image, 0, 7)).Message);
        Assert.Contains("stride must be positive", Assert.Throws<ArgumentException>(() => F.AvgPool2d(Image, 2, 0)).Message);
    }
}
