namespace RawGan.Backends;

/// <summary>
/// The shape of one 2-D pooling window sweep, as torch.nn.MaxPool2d / AvgPool2d with ceil_mode false and dilation 1:
/// x [N, C, H, W], y [N, C, P, Q] with P = (H + 2·PadH - KernelH) / StrideH + 1. Padding is at most half the kernel
/// (PyTorch's rule), so every window holds at least one element of x.
/// </summary>
public readonly record struct PoolGeometry(
    int N, int C, int H, int W,
    int KernelH, int KernelW,
    int StrideH, int StrideW,
    int PadH, int PadW)
{
    public int P => (H + 2 * PadH - KernelH) / StrideH + 1;
    public int Q => (W + 2 * PadW - KernelW) / StrideW + 1;

    public int[] InputShape => [N, C, H, W];
    public int[] OutputShape => [N, C, P, Q];

    /// <summary>The window of output row p: input rows [Start, End) clipped to [0, H).</summary>
    public (int Start, int End) Rows(int p) => Clip(p * StrideH - PadH, KernelH, H);

    /// <summary>The window of output column q: input columns [Start, End) clipped to [0, W).</summary>
    public (int Start, int End) Columns(int q) => Clip(q * StrideW - PadW, KernelW, W);

    /// <summary>The output rows whose windows hold input row h: [First, Last] (empty when First &gt; Last).</summary>
    public (int First, int Last) RowsCovering(int h) => Covering(h + PadH, KernelH, StrideH, P);

    /// <summary>The output columns whose windows hold input column w: [First, Last].</summary>
    public (int First, int Last) ColumnsCovering(int w) => Covering(w + PadW, KernelW, StrideW, Q);

    /// <summary>The divisor of an average over output (p, q): the whole window with count_include_pad, else the
    /// elements inside x (as PyTorch, windows never reach past the padding in floor mode).</summary>
    public int Divisor(int p, int q, bool countIncludePad)
    {
        if (countIncludePad) return KernelH * KernelW;
        (int h0, int h1) = Rows(p);
        (int w0, int w1) = Columns(q);
        return (h1 - h0) * (w1 - w0);
    }

    private static (int, int) Clip(int start, int kernel, int size) => (Math.Max(start, 0), Math.Min(start + kernel, size));

    // Output i covers padded index j when i·s ≤ j < i·s + k.
    private static (int, int) Covering(int j, int kernel, int stride, int outputs) =>
        (j < kernel ? 0 : (j - kernel) / stride + 1, Math.Min(j / stride, outputs - 1));

    /// <summary>PyTorch's argument rules, with the message naming the op.</summary>
    public void Validate(string op)
    {
        if (KernelH <= 0 || KernelW <= 0 || StrideH <= 0 || StrideW <= 0 || PadH < 0 || PadW < 0)
            throw new ArgumentException($"{op}: kernel and stride must be positive and padding non-negative, got kernel ({KernelH}, {KernelW}), stride ({StrideH}, {StrideW}), padding ({PadH}, {PadW}).");
        if (2 * PadH > KernelH || 2 * PadW > KernelW)
            throw new ArgumentException($"{op}: padding ({PadH}, {PadW}) must be at most half the kernel ({KernelH}, {KernelW}).");
        if (H + 2 * PadH < KernelH || W + 2 * PadW < KernelW)
            throw new ArgumentException($"{op}: the {KernelH}×{KernelW} kernel is larger than the padded input {H + 2 * PadH}×{W + 2 * PadW} (input [{N}, {C}, {H}, {W}]).");
    }

    public override string ToString() =>
        $"x[{N},{C},{H},{W}] -> y[{N},{C},{P},{Q}] kernel ({KernelH},{KernelW}) stride ({StrideH},{StrideW}) pad ({PadH},{PadW})";
}
