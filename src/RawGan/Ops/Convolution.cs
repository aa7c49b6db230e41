using RawGan.Backends;
using RawGan.Backends.Cpu;
using RawGan.Tensors;

namespace RawGan.Ops;

public static partial class F
{
    /// <summary>2-D convolution (cross-correlation) of x [N, C, H, W] with weight [K, C, R, S] and optional bias [K].
    /// The output takes x's memory format (PyTorch's, for a weight in its standard layout).</summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, Padding2d padding = default) =>
        Conv2d(x, weight, bias, (stride, stride), padding);

    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, (int H, int W) stride, Padding2d padding)
    {
        const string op = "conv2d";
        CheckConvArgs(op, x, weight, bias, stride, padding, weight.Shape[0]);
        if (x.Shape[1] != weight.Shape[1])
            throw new ArgumentException($"{op}: input {x.Shape} has {x.Shape[1]} channels but weight {weight.Shape} expects {weight.Shape[1]}.");
        var g = new ConvGeometry(x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], weight.Shape[0], weight.Shape[2], weight.Shape[3],
            stride.H, stride.W, padding.Top, padding.Left, padding.Bottom, padding.Right);
        if (g.H + padding.Top + padding.Bottom < g.R || g.W + padding.Left + padding.Right < g.S)
            throw new ArgumentException($"{op}: kernel {g.R}×{g.S} is larger than the padded input (input {x.Shape}, padding {padding}).");
        if (!Native(x)) return ToMemoryFormat(Conv2d(Contiguous(x), weight, bias, stride, padding), x.MemoryFormat);

        Tensor y = EmptyIn(g.OutputShape, x);
        x.Backend.Conv2d(g, x, weight, y);
        AddChannelBias(y, bias);
        return Record(y, op, Inputs(x, weight, bias), dy => WithBiasGrad(
            x.RequiresGrad ? ConvData(g, dy, weight) : null,
            weight.RequiresGrad ? ConvFilter(g, x, dy) : null, bias, dy));
    }

    /// <summary>
    /// 2-D transposed convolution of x [N, Cin, H, W] with weight [Cin, Cout, R, S] (PyTorch's layout): the adjoint of
    /// Conv2d. Output size (H - 1)·stride - top - bottom + R + outputPadding, as torch.nn.ConvTranspose2d.
    /// </summary>
    public static Tensor ConvTranspose2d(Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, Padding2d padding = default, int outputPadding = 0) =>
        ConvTranspose2d(x, weight, bias, (stride, stride), padding, (outputPadding, outputPadding));

    public static Tensor ConvTranspose2d(Tensor x, Tensor weight, Tensor? bias, (int H, int W) stride, Padding2d padding, (int H, int W) outputPadding)
    {
        ConvGeometry g = TransposedGeometry(x, weight, bias, stride, padding, outputPadding);
        if (!Native(x)) return ToMemoryFormat(ConvTranspose2d(Contiguous(x), weight, bias, stride, padding, outputPadding), x.MemoryFormat);
        Tensor y = EmptyIn(g.InputShape, x);
        x.Backend.Conv2dBackwardData(g, x, weight, y);
        AddChannelBias(y, bias);
        return Record(y, "conv_transpose2d", Inputs(x, weight, bias), dy => WithBiasGrad(
            x.RequiresGrad ? ConvForward(g, dy, weight) : null,
            weight.RequiresGrad ? ConvFilter(g, dy, x) : null, bias, dy));
    }

    /// <summary>Inference only (not recorded for gradients): ConvTranspose2d with its weight held quantised by the
    /// CPU backend; <paramref name="weight"/> gives the shapes.</summary>
    internal static Tensor ConvTranspose2dQuantized(Tensor x, Tensor weight, QuantizedMatrix quantized, Tensor? bias, (int H, int W) stride,
                                                    Padding2d padding, (int H, int W) outputPadding)
    {
        ConvGeometry g = TransposedGeometry(x, weight, bias, stride, padding, outputPadding);
        if (x.Backend is not CpuBackend cpu)
            throw new ArgumentException($"conv_transpose2d: quantised weights run on the CPU, not on {x.Backend.Name}.");
        x = Contiguous(x);
        Tensor y = Empty(g.InputShape, x);
        cpu.Conv2dBackwardDataQuantized(g, x, quantized, y);
        AddChannelBias(y, bias);
        return y;
    }

    /// <summary>Inference only (not recorded for gradients): ConvTranspose2d with its bias and activation fused into
    /// the CPU's product (<paramref name="fused"/>, prepared from the layer's weight, which gives the shapes).</summary>
    internal static Tensor ConvTranspose2dFused(Tensor x, Tensor weight, FusedConvTranspose fused, (int H, int W) stride,
                                                Padding2d padding, (int H, int W) outputPadding)
    {
        ConvGeometry g = TransposedGeometry(x, weight, null, stride, padding, outputPadding);
        if (x.Backend is not CpuBackend cpu)
            throw new ArgumentException($"conv_transpose2d: the fused layer runs on the CPU, not on {x.Backend.Name}.");
        Tensor y = Empty(g.InputShape, x);
        cpu.ConvTranspose2dFused(g, x, fused, y);
        return y;
    }

    private static ConvGeometry TransposedGeometry(Tensor x, Tensor weight, Tensor? bias, (int H, int W) stride, Padding2d padding, (int H, int W) outputPadding)
    {
        const string op = "conv_transpose2d";
        CheckConvArgs(op, x, weight, bias, stride, padding, weight.Shape[1]);
        if (x.Shape[1] != weight.Shape[0])
            throw new ArgumentException($"{op}: input {x.Shape} has {x.Shape[1]} channels but weight {weight.Shape} expects {weight.Shape[0]} (layout [in, out, kH, kW]).");
        if (outputPadding.H < 0 || outputPadding.W < 0 || outputPadding.H >= stride.H || outputPadding.W >= stride.W)
            throw new ArgumentException($"{op}: output padding {outputPadding} must be non-negative and smaller than the stride {stride}.");
        int outH = (x.Shape[2] - 1) * stride.H - padding.Top - padding.Bottom + weight.Shape[2] + outputPadding.H;
        int outW = (x.Shape[3] - 1) * stride.W - padding.Left - padding.Right + weight.Shape[3] + outputPadding.W;
        if (outH <= 0 || outW <= 0)
            throw new ArgumentException($"{op}: input {x.Shape} with weight {weight.Shape}, stride {stride} and padding {padding} gives an empty output ({outH}×{outW}).");

        // The convolution this is the adjoint of maps [N, Cout, outH, outW] to x's shape with the same weight.
        return new ConvGeometry(x.Shape[0], weight.Shape[1], outH, outW, weight.Shape[0], weight.Shape[2], weight.Shape[3],
            stride.H, stride.W, padding.Top, padding.Left, padding.Bottom, padding.Right);
    }

    // The three convolution primitives as differentiable ops of the geometry g, so that each rule is a combination of
    // the others (the rules of rules too): backward-data is a transposed convolution, backward-filter is bilinear in
    // x and dy with a convolution and a transposed convolution for its two derivatives.

    /// <summary>y = conv(x, w) for g.</summary>
    private static Tensor ConvForward(ConvGeometry g, Tensor x, Tensor w)
    {
        Tensor y = EmptyIn(new Shape(g.OutputShape), x);
        x.Backend.Conv2d(g, x, w, y);
        return Record(y, "conv2d", [x, w], dy => [
            x.RequiresGrad ? ConvData(g, dy, w) : null,
            w.RequiresGrad ? ConvFilter(g, x, dy) : null,
        ]);
    }

    /// <summary>dx = the adjoint of conv(·, w) for g applied to dy (the forward pass of a transposed convolution).</summary>
    private static Tensor ConvData(ConvGeometry g, Tensor dy, Tensor w)
    {
        Tensor dx = EmptyIn(new Shape(g.InputShape), dy);
        dy.Backend.Conv2dBackwardData(g, dy, w, dx);
        return Record(dx, "conv2d_backward_data", [dy, w], ddx => [
            dy.RequiresGrad ? ConvForward(g, ddx, w) : null,
            w.RequiresGrad ? ConvFilter(g, ddx, dy) : null,
        ]);
    }

    /// <summary>dw = the adjoint of conv(x, ·) for g applied to dy.</summary>
    private static Tensor ConvFilter(ConvGeometry g, Tensor x, Tensor dy)
    {
        Tensor dw = Empty(new Shape(g.WeightShape), x);
        x.Backend.Conv2dBackwardFilter(g, x, dy, dw);
        return Record(dw, "conv2d_backward_filter", [x, dy], ddw => [
            x.RequiresGrad ? ConvData(g, dy, ddw) : null,
            dy.RequiresGrad ? ConvForward(g, x, ddw) : null,
        ]);
    }

    private static void CheckConvArgs(string op, Tensor x, Tensor weight, Tensor? bias, (int H, int W) stride, Padding2d padding, int outChannels)
    {
        RequireCompatible(op, x, weight);
        RequireFloat(op, x);
        RequireRank(op, x, 4, "input", "[N, C, H, W]");
        RequireRank(op, weight, 4, "weight", op == "conv2d" ? "[out, in, kH, kW]" : "[in, out, kH, kW]");
        if (stride.H <= 0 || stride.W <= 0) throw new ArgumentException($"{op}: stride {stride} must be positive.");
        if (padding.Top < 0 || padding.Left < 0 || padding.Bottom < 0 || padding.Right < 0)
            throw new ArgumentException($"{op}: padding {padding} must not be negative.");
        if (bias is null) return;
        RequireCompatible(op, x, bias);
        RequireShape(op, bias, new Shape(outChannels), "bias");
    }

    private static Tensor[] Inputs(Tensor x, Tensor w, Tensor? b) => b is null ? [x, w] : [x, w, b];

    /// <summary>Whether the backend convolves x as it lies: NCHW always; channels-last where the backend takes it
    /// (<see cref="IBackend.ChannelsLastNative"/>), else the op converts around an NCHW convolution.</summary>
    private static bool Native(Tensor x) => x.MemoryFormat == MemoryFormat.Contiguous || x.Backend.ChannelsLastNative;

    /// <summary>An activation of <paramref name="shape"/> in the memory format of <paramref name="like"/>.</summary>
    private static Tensor EmptyIn(Shape shape, Tensor like) => Tensor.Empty(shape, like.DType, like.Backend, like.MemoryFormat);

    /// <summary>y += bias per channel: broadcast as [C, 1, 1] over NCHW, or as [C] over channels-last's physical
    /// [N, H, W, C] (the channel is then the innermost axis).</summary>
    private static void AddChannelBias(Tensor y, Tensor? bias)
    {
        if (bias is null) return;
        Shape perChannel = y.MemoryFormat == MemoryFormat.ChannelsLast ? bias.Shape : new Shape(bias.Shape[0], 1, 1);
        y.Backend.Binary(BinaryOp.Add, Physical(y), new Tensor(bias.Storage, perChannel), Physical(y));
    }

    private static Tensor?[] WithBiasGrad(Tensor? dx, Tensor? dw, Tensor? bias, Tensor dy) =>
        bias is null ? [dx, dw] : [dx, dw, bias.RequiresGrad ? Reshape(SumTo(dy, new Shape(bias.Shape[0], 1, 1)), bias.Shape[0]) : null];
}
