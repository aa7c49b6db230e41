namespace RawGan.Backends;

/// <summary>
/// The shape of one 2-D convolution y = conv(x, w), cross-correlation as in PyTorch:
/// x [N, C, H, W], w [K, C, R, S], y [N, K, P, Q] with P = (H + PadTop + PadBottom - R) / StrideH + 1.
/// Padding may be asymmetric, which TensorFlow's 'same' needs for even sizes (5×5, stride 2 pads 1 before, 2 after).
/// A transposed convolution is described by the geometry of the convolution it is the adjoint of.
/// </summary>
public readonly record struct ConvGeometry(
    int N, int C, int H, int W,
    int K, int R, int S,
    int StrideH, int StrideW,
    int PadTop, int PadLeft, int PadBottom, int PadRight)
{
    public int P => (H + PadTop + PadBottom - R) / StrideH + 1;
    public int Q => (W + PadLeft + PadRight - S) / StrideW + 1;

    public int[] InputShape => [N, C, H, W];
    public int[] WeightShape => [K, C, R, S];
    public int[] OutputShape => [N, K, P, Q];

    /// <summary>Multiply-adds of the forward pass (each backward pass costs the same).</summary>
    public long MacCount => (long)N * K * P * Q * C * R * S;

    public override string ToString() =>
        $"x[{N},{C},{H},{W}] w[{K},{C},{R},{S}] -> y[{N},{K},{P},{Q}] stride ({StrideH},{StrideW}) pad (t{PadTop},l{PadLeft},b{PadBottom},r{PadRight})";
}
