using RawGan.Ops;
using static RawGan.Tests.Autograd.OpCheck;

namespace RawGan.Tests.Autograd;

/// <summary>Gradient checks of the pooling and resize ops (float64 on the reference backend against finite
/// differences). Random continuous inputs have no ties, so max pooling is differentiable at them.</summary>
public class PoolingGradTests
{
    [Theory]
    [InlineData(3, 2, 0)]
    [InlineData(3, 1, 1)]
    [InlineData(2, 2, 1)]
    public void MaxPool2d(int kernel, int stride, int padding) =>
        Grad(x => F.MaxPool2d(x[0], kernel, stride, padding), [[2, 2, 7, 6]]);

    [Theory]
    [InlineData(3, 1, 1, false)]
    [InlineData(3, 1, 1, true)]
    [InlineData(2, 2, 1, false)]
    [InlineData(3, 2, 0, true)]
    public void AvgPool2d(int kernel, int stride, int padding, bool countIncludePad) =>
        Grad(x => F.AvgPool2d(x[0], kernel, stride, padding, countIncludePad), [[2, 2, 7, 6]]);

    [Fact]
    public void Rectangular_windows_and_strides() =>
        Grad(x => F.AvgPool2d(F.MaxPool2d(x[0], (1, 3), (1, 2), (0, 1)), (3, 1), (2, 1), (1, 0), countIncludePad: false), [[1, 2, 6, 7]]);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(4, 3)]
    [InlineData(9, 2)]
    public void AdaptiveAvgPool2d(int height, int width) =>
        Grad(x => F.AdaptiveAvgPool2d(x[0], height, width), [[2, 3, 7, 5]]);

    [Theory]
    [InlineData(InterpolationMode.Bilinear, false)]
    [InlineData(InterpolationMode.Bilinear, true)]
    [InlineData(InterpolationMode.Bicubic, false)]
    [InlineData(InterpolationMode.Bicubic, true)]
    public void Interpolate(InterpolationMode mode, bool antialias)
    {
        Grad(x => F.Interpolate(x[0], 11, 4, mode, antialias), [[2, 2, 5, 9]]);
        Grad(x => F.Interpolate(x[0], 3, 13, mode, antialias), [[1, 2, 8, 6]]);
    }
}
