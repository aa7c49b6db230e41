using RawGan.Tensors;

namespace RawGan.Ops;

public static partial class F
{
    /// <summary>
    /// x in <paramref name="format"/> (PyTorch's x.contiguous(memory_format=...)): the same logical values, laid out
    /// anew by the backend's transpose, or relabelled without a copy where both formats have the same bytes (C = 1
    /// or H·W = 1: a latent code [N, nz, 1, 1], a discriminator's [N, 1, 1, 1] score). Its gradient is the way back.
    /// </summary>
    public static Tensor ToMemoryFormat(Tensor x, MemoryFormat format)
    {
        const string op = "to_memory_format";
        if (x.MemoryFormat == format) return x;
        if (format == MemoryFormat.ChannelsLast) RequireRank(op, x, 4, "input", "[N, C, H, W]");
        Tensor y;
        if (MemoryFormats.SameBytes(x.Shape)) y = new Tensor(x.Storage, x.Shape, format);
        else
        {
            y = Tensor.Empty(x.Shape, x.DType, x.Backend, format);
            long n = x.Shape[0], c = x.Shape[1], s = (long)x.Shape[2] * x.Shape[3];
            if (format == MemoryFormat.ChannelsLast) x.Backend.Transpose(x, y, n, c, s);
            else x.Backend.Transpose(x, y, n, s, c);
        }
        MemoryFormat from = x.MemoryFormat;
        return Record(y, op, [x], dy => [ToMemoryFormat(dy, from)]);
    }

    /// <summary>x row-major in its logical shape (a no-op unless it is channels-last).</summary>
    public static Tensor Contiguous(Tensor x) => ToMemoryFormat(x, MemoryFormat.Contiguous);

    /// <summary>
    /// The ops that take channels-last tensors: each keeps its output (and, through its rule, each input's gradient)
    /// in its inputs' format. Every other op refuses them in <see cref="Record"/>, after computing but before its
    /// result can escape, so a format an op does not understand fails with a message instead of giving wrong values.
    /// </summary>
    private static readonly HashSet<string> FormatAware =
    [
        "to_memory_format", "reshape", "concat", "narrow", "narrow_backward", "sum_to", "expand",
        "add", "sub", "mul", "div", "unary_backward",
        "neg", "exp", "log", "sqrt", "abs", "pow", "scale", "add_scalar",
        "relu", "relu_", "leaky_relu", "leaky_relu_", "tanh", "sigmoid",
        "conv2d", "conv_transpose2d", "conv2d_backward_data", "conv2d_backward_filter", "batch_norm",
    ];

    /// <summary>Runs on every recorded op, so the set is consulted only when an input is not contiguous (rarely).</summary>
    private static void RequireKnownFormat(string op, Tensor[] inputs)
    {
        foreach (Tensor t in inputs)
            if (t.MemoryFormat != MemoryFormat.Contiguous && !FormatAware.Contains(op))
                throw new ArgumentException($"{op}: does not take {t.MemoryFormat} tensors (input {t.Shape}); convert with F.Contiguous first.");
    }

    /// <summary>A view of t's storage as the row-major tensor it physically is ([N, H, W, C] for channels-last), for
    /// passing a format-blind primitive (broadcast, sums, copies) the layout it really computes on. Not recorded.</summary>
    private static Tensor Physical(Tensor t) =>
        t.MemoryFormat == MemoryFormat.Contiguous ? t : new Tensor(t.Storage, MemoryFormats.Physical(t.Shape, t.MemoryFormat));

    /// <summary>The format an op on these operands computes in: channels-last when a rank-4 one is, else contiguous.</summary>
    private static MemoryFormat CommonFormat(params Tensor[] operands) =>
        operands.Any(t => t.MemoryFormat == MemoryFormat.ChannelsLast) ? MemoryFormat.ChannelsLast : MemoryFormat.Contiguous;

    /// <summary>t as a rank-4 operand of a channels-last op: a lower rank is padded on the left with ones (as
    /// broadcasting aligns it), then converted, which is free for a bias [C, 1, 1] or any shape with C or H·W of 1.</summary>
    private static Tensor AsChannelsLast(Tensor t)
    {
        if (t.Rank < 4) t = Reshape(t, [.. Enumerable.Repeat(1, 4 - t.Rank), .. t.Shape.Dims]);
        return ToMemoryFormat(t, MemoryFormat.ChannelsLast);
    }
}
