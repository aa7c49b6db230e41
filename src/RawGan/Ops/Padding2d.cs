namespace RawGan.Ops;

/// <summary>
/// Zero padding of a 2-D convolution, per side. PyTorch's integer padding is symmetric; TensorFlow's 'same'
/// (as in the 5×5 stride-2 DCGAN) is not when the padding needed is odd, and puts the extra row at the bottom.
/// </summary>
public readonly record struct Padding2d(int Top, int Left, int Bottom, int Right)
{
    public static implicit operator Padding2d(int p) => Symmetric(p, p);

    public static Padding2d Symmetric(int height, int width)
    {
        if (height < 0 || width < 0) throw new ArgumentOutOfRangeException(nameof(height), $"Padding ({height}, {width}) is negative.");
        return new(height, width, height, width);
    }

    /// <summary>TensorFlow's 'same' for a convolution: output = ceil(input / stride).</summary>
    public static Padding2d Same(int h, int w, int kernelH, int kernelW, int strideH, int strideW)
    {
        (int top, int bottom) = Split(((h + strideH - 1) / strideH - 1) * strideH + kernelH - h);
        (int left, int right) = Split(((w + strideW - 1) / strideW - 1) * strideW + kernelW - w);
        return new(top, left, bottom, right);
    }

    /// <summary>TensorFlow's 'same' for a transposed convolution: output = input · stride. It is the padding of
    /// the convolution that the transposed one is the adjoint of.</summary>
    public static Padding2d SameTransposed(int kernelH, int kernelW, int strideH, int strideW)
    {
        (int top, int bottom) = Split(kernelH - strideH);
        (int left, int right) = Split(kernelW - strideW);
        return new(top, left, bottom, right);
    }

    private static (int, int) Split(int total)
    {
        total = Math.Max(total, 0);
        return (total / 2, total - total / 2);
    }

    public override string ToString() => Top == Bottom && Left == Right ? $"({Top}, {Left})" : $"(top {Top}, left {Left}, bottom {Bottom}, right {Right})";
}
