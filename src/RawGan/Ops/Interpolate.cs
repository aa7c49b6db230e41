using RawGan.Tensors;

namespace RawGan.Ops;

/// <summary>The interpolation filters of <see cref="F.Interpolate(Tensor, int, int, InterpolationMode, bool)"/>.</summary>
public enum InterpolationMode
{
    /// <summary>Linear in each axis (PyTorch's 'bilinear'; the triangle filter of PIL's BILINEAR with antialias).</summary>
    Bilinear,

    /// <summary>Cubic convolution in each axis: a = -0.75 as PyTorch's 'bicubic', or with antialias a = -0.5 as
    /// PIL's BICUBIC (and torchvision's antialiased resize).</summary>
    Bicubic,
}

public static partial class F
{
    /// <summary>
    /// Resizes x [N, C, H, W] to <paramref name="height"/> × <paramref name="width"/> as
    /// torch.nn.functional.interpolate(x, size, mode, align_corners=False, antialias) does: without antialias each
    /// output samples the input at (i + 0.5)·in/out - 0.5 (pytorch-fid's legacy resize to 299); with it, the filter
    /// is widened by the downscaling factor and normalised per output, PIL's resampling (clean-fid's). Both are a
    /// fixed linear map per axis, so the op is two matrix products (the width as a GEMM, the height as a 1×1
    /// convolution taking H as channels): exact to float32 rounding, differentiable, and on every device.
    /// </summary>
    public static Tensor Interpolate(Tensor x, int height, int width, InterpolationMode mode = InterpolationMode.Bilinear, bool antialias = false)
    {
        RequireImages("interpolate", x, height, width);
        if (height == x.Shape[2] && width == x.Shape[3]) return x; // every mode samples the input's own grid then
        return Separable(x, ResizeWeights.Resize(x.Shape[2], height, mode, antialias), ResizeWeights.Resize(x.Shape[3], width, mode, antialias));
    }

    private static void RequireImages(string op, Tensor x, int height, int width)
    {
        RequireFloat(op, x);
        RequireRank(op, x, 4, "input", "[N, C, H, W]");
        if (height <= 0 || width <= 0) throw new ArgumentException($"{op}: output size {height}×{width} must be positive (input {x.Shape}).");
        if (x.Shape[2] == 0 || x.Shape[3] == 0) throw new ArgumentException($"{op}: input {x.Shape} has no pixels.");
    }

    /// <summary>y[n, c] = rows · x[n, c] · columnsᵀ for rows [P, H] and columns [Q, W] (row-major weights).</summary>
    private static Tensor Separable(Tensor x, double[] rows, double[] columns)
    {
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3], p = rows.Length / h, q = columns.Length / w;
        // Columnsᵀ [W, Q], then the width pass: [N·C·H, W] · [W, Q].
        var ct = new double[w * q];
        for (int i = 0; i < q; i++)
        for (int j = 0; j < w; j++)
            ct[j * q + i] = columns[i * w + j];
        Tensor t = Matmul(Reshape(x, n * c * h, w), Constant(ct, [w, q], x));
        // The height pass: H as the channels of a 1×1 convolution with weight rows [P, H, 1, 1].
        Tensor y = Conv2d(Reshape(t, n * c, h, 1, q), Constant(rows, [p, h, 1, 1], x));
        return Reshape(y, n, c, p, q);
    }

    private static Tensor Constant(double[] values, int[] shape, Tensor like) => like.DType == DType.Float64
        ? Tensor.FromSpan<double>(values, new Shape(shape), DType.Float64, like.Backend)
        : Tensor.FromSpan<float>(Array.ConvertAll(values, v => (float)v), new Shape(shape), DType.Float32, like.Backend);
}
