using RawGan.Backends;
using RawGan.Tensors;

namespace RawGan.Ops;

public static partial class F
{
    /// <summary>The largest value of each window of x [N, C, H, W] (torch.nn.functional.max_pool2d with dilation 1,
    /// ceil_mode false); <paramref name="stride"/> defaults to the kernel, padding counts as -inf.</summary>
    public static Tensor MaxPool2d(Tensor x, (int H, int W) kernel, (int H, int W)? stride = null, (int H, int W) padding = default)
    {
        PoolGeometry g = Pool("max_pool2d", x, kernel, stride, padding);
        Tensor y = Empty(new Shape(g.OutputShape), x);
        Tensor indices = Tensor.Empty(new Shape(g.OutputShape), DType.Int32, x.Backend);
        x.Backend.MaxPool2d(g, x, y, indices);
        return Record(y, "max_pool2d", [x], dy =>
        {
            Tensor dx = EmptyLike(x);
            x.Backend.MaxPool2dBackward(g, dy, indices, dx);
            return [dx];
        });
    }

    public static Tensor MaxPool2d(Tensor x, int kernel, int? stride = null, int padding = 0) =>
        MaxPool2d(x, (kernel, kernel), stride is int s ? (s, s) : null, (padding, padding));

    /// <summary>The mean of each window of x [N, C, H, W] (torch.nn.functional.avg_pool2d, ceil_mode false): over
    /// the whole window with <paramref name="countIncludePad"/> (PyTorch's default), else over the elements inside
    /// x, as TensorFlow's pools and so the FID Inception's blocks do.</summary>
    public static Tensor AvgPool2d(Tensor x, (int H, int W) kernel, (int H, int W)? stride = null, (int H, int W) padding = default,
                                   bool countIncludePad = true)
    {
        PoolGeometry g = Pool("avg_pool2d", x, kernel, stride, padding);
        Tensor y = Empty(new Shape(g.OutputShape), x);
        x.Backend.AvgPool2d(g, countIncludePad, x, y);
        return Record(y, "avg_pool2d", [x], dy =>
        {
            Tensor dx = EmptyLike(x);
            x.Backend.AvgPool2dBackward(g, countIncludePad, dy, dx);
            return [dx];
        });
    }

    public static Tensor AvgPool2d(Tensor x, int kernel, int? stride = null, int padding = 0, bool countIncludePad = true) =>
        AvgPool2d(x, (kernel, kernel), stride is int s ? (s, s) : null, (padding, padding), countIncludePad);

    /// <summary>Averages of x [N, C, H, W] over the windows [⌊i·H/P⌋, ⌈(i+1)·H/P⌉) that give an output of
    /// <paramref name="height"/> × <paramref name="width"/> (torch.nn.functional.adaptive_avg_pool2d): a linear map
    /// in each axis, applied as <see cref="Interpolate(Tensor, int, int, InterpolationMode, bool)"/> applies its own.</summary>
    public static Tensor AdaptiveAvgPool2d(Tensor x, int height, int width)
    {
        RequireImages("adaptive_avg_pool2d", x, height, width);
        return Separable(x, ResizeWeights.AdaptiveAverage(x.Shape[2], height), ResizeWeights.AdaptiveAverage(x.Shape[3], width));
    }

    private static PoolGeometry Pool(string op, Tensor x, (int H, int W) kernel, (int H, int W)? stride, (int H, int W) padding)
    {
        RequireFloat(op, x);
        RequireRank(op, x, 4, "input", "[N, C, H, W]");
        (int sh, int sw) = stride ?? kernel;
        var g = new PoolGeometry(x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], kernel.H, kernel.W, sh, sw, padding.H, padding.W);
        g.Validate(op);
        return g;
    }
}
