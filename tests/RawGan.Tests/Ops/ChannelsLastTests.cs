using RawGan.Backends.Cpu;
using RawGan.Backends.Cpu.Reference;
using RawGan.Nn;
using RawGan.Ops;
using RawGan.Tensors;
using RawGan.Tests.Autograd;
using static RawGan.Tests.Autograd.OpCheck;

namespace RawGan.Tests.Ops;

/// <summary>Channels-last (MemoryFormat.ChannelsLast) on the CPU: the layout itself, the transpose primitive against
/// the reference, every format-aware op's values and gradients against the same op in NCHW (float64, so the two agree
/// to the last few bits), finite differences through the conversions, and the refusal of ops that do not know it.</summary>
public class ChannelsLastTests
{
    private const MemoryFormat Cl = MemoryFormat.ChannelsLast;

    [Fact]
    public void A_channels_last_tensor_lies_as_NHWC_and_reads_back_in_logical_order()
    {
        Tensor x = Input([2, 3, 4, 5], requiresGrad: false);
        Tensor cl = F.ToMemoryFormat(x, Cl);
        Assert.Equal(Cl, cl.MemoryFormat);
        Assert.Equal(x.Shape, cl.Shape);
        Assert.Equal(x.ToDoubleArray(), cl.ToDoubleArray());
        double[] stored = new Tensor(cl.Storage, new Shape(2, 4, 5, 3)).ToDoubleArray(), logical = x.ToDoubleArray();
        for (int n = 0; n < 2; n++)
            for (int c = 0; c < 3; c++)
                for (int p = 0; p < 20; p++)
                    Assert.Equal(logical[(n * 3 + c) * 20 + p], stored[(n * 20 + p) * 3 + c]);
        Assert.Equal(x.ToDoubleArray(), F.Contiguous(cl).ToDoubleArray());
    }

    [Fact]
    public void Where_both_formats_have_the_same_bytes_the_conversion_shares_the_storage()
    {
        Tensor z = Input([4, 7, 1, 1], requiresGrad: false), score = Input([4, 1, 3, 3], requiresGrad: false);
        Assert.Same(z.Storage, F.ToMemoryFormat(z, Cl).Storage);
        Assert.Same(score.Storage, F.ToMemoryFormat(score, Cl).Storage);
        Assert.Throws<ArgumentException>(() => F.ToMemoryFormat(Input([4, 7], requiresGrad: false), Cl));
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 33, 70)]
    [InlineData(2, 64, 16)]
    [InlineData(5, 1, 31)]
    public void The_cpu_transpose_matches_the_reference(int batch, int rows, int cols)
    {
        foreach (DType dtype in new[] { DType.Float32, DType.Float64 })
        {
            var values = Enumerable.Range(0, batch * rows * cols).Select(i => (double)i * 0.5 - 7).ToArray();
            Tensor x = Tensor.FromArray(values, new Shape(batch, rows, cols)).ToDType(dtype);
            Tensor expected = Tensor.Empty(x.Shape, dtype, ReferenceBackend.Instance), actual = Tensor.Full(x.Shape, double.NaN, dtype, CpuBackend.Default);
            ReferenceBackend.Instance.Transpose(x.To(ReferenceBackend.Instance), expected, batch, rows, cols);
            CpuBackend.Default.Transpose(x.To(CpuBackend.Default), actual, batch, rows, cols);
            Assert.Equal(expected.ToDoubleArray(), actual.ToDoubleArray());
            if (rows > 1) Assert.Equal(values[cols], expected.ToDoubleArray()[1]); // y[0, 0, 1] = x[0, 1, 0]
        }
    }

    public static TheoryData<string> Ops => ["conv2d", "conv2d_same", "conv_transpose2d", "batch_norm", "bias", "concat", "narrow", "sum_to", "flatten", "mul_bcast"];

    /// <summary>Each op as a network uses it, from an NCHW leaf: f(x) in <paramref name="format"/>, read back as NCHW.</summary>
    internal static Tensor Apply(string op, Tensor[] t, MemoryFormat format)
    {
        Tensor x = F.ToMemoryFormat(t[0], format);
        return F.Contiguous(op switch
        {
            "conv2d" => F.Conv2d(x, t[1], t[2], 2, 1),
            "conv2d_same" => F.Conv2d(x, t[1], t[2], (2, 2), Padding2d.Same(6, 6, 3, 3, 2, 2)),
            "conv_transpose2d" => F.ConvTranspose2d(x, t[3], t[2], 2, 1),
            "batch_norm" => F.BatchNorm(x, null, null, t[4], t[5], training: true),
            "bias" => x + F.Reshape(t[4], 3, 1, 1),
            "concat" => F.Concat([x, F.ToMemoryFormat(t[6], format), x], 1),
            "narrow" => F.Narrow(x, 1, 1, 2),
            "sum_to" => F.ExpandTo(F.SumTo(x * x, new Shape(3, 1, 1)), x.Shape) + F.SumTo(x, new Shape(1, 3, 6, 1)),
            "flatten" => F.Reshape(F.LeakyRelu(x, 0.2).Flatten(), 2, 3, 6, 6),
            _ => x * F.Reshape(t[6], 2, 2, 6, 6).Sum() + F.Tanh(x) * F.Reshape(t[4], 3, 1, 1),
        });
    }

    /// <summary>Apply's operands: x [2, 3, 6, 6], a convolution's weight and bias, a transposed convolution's weight,
    /// two per-channel vectors, and two more channels of x's size.</summary>
    internal static int[][] OperandShapes { get; } = [[2, 3, 6, 6], [4, 3, 3, 3], [4], [3, 4, 4, 4], [3], [3], [2, 2, 6, 6]];

    private static Tensor[] Operands() => [.. OperandShapes.Select(s => Input(s))];

    [Theory]
    [MemberData(nameof(Ops))]
    public void Each_op_gives_the_same_values_and_gradients_in_both_formats(string op)
    {
        Tensor[] inputs = Operands();
        var results = new List<(double[] Y, double[][] Grads)>();
        foreach (MemoryFormat format in new[] { MemoryFormat.Contiguous, Cl })
        {
            foreach (Tensor t in inputs) t.Grad = null;
            Tensor y = Apply(op, inputs, format);
            Tensor r = Tensor.Randn(y.Shape, new Generator(9), DType.Float64, ReferenceBackend.Instance);
            y.Backward(r);
            results.Add((y.ToDoubleArray(), inputs.Select(t => t.Grad?.ToDoubleArray() ?? []).ToArray()));
        }
        AssertClose(results[0].Y, results[1].Y, op);
        for (int i = 0; i < inputs.Length; i++) AssertClose(results[0].Grads[i], results[1].Grads[i], $"{op}, gradient of input {i}");
    }

    [Theory]
    [MemberData(nameof(Ops))]
    public void Each_op_in_channels_last_passes_the_gradient_check(string op) =>
        OpCheck.Grad(t => Apply(op, t, Cl), Operands(), atol: 1e-5, rtol: 1e-4);

    [Fact]
    public void The_conversion_passes_the_gradient_check_both_ways() =>
        OpCheck.Grad(t => F.Contiguous(F.ToMemoryFormat(t[0], Cl) * F.ToMemoryFormat(t[0], Cl)), [Input([2, 3, 2, 5])]);

    [Fact]
    public void The_gradient_check_refuses_a_channels_last_input_it_would_perturb_in_the_wrong_places()
    {
        Tensor cl = F.ToMemoryFormat(Input([2, 3, 2, 2], requiresGrad: false), Cl).Detach();
        var e = Assert.Throws<ArgumentException>(() => RawGan.Autograd.GradCheck.Run(t => F.Contiguous(t[0]), [cl]));
        Assert.Contains("contiguous", e.Message);
    }

    [Fact]
    public void A_module_in_channels_last_computes_what_it_computes_in_NCHW()
    {
        var g = new Generator(4);
        var net = new Sequential(new Conv2d(3, 4, 4, 2, 1, bias: true, generator: g), new BatchNorm2d(4), new LeakyReLU(0.2),
                                 new ConvTranspose2d(4, 2, 4, 2, 1, bias: false, generator: g), new Tanh());
        Tensor x = Tensor.Randn(new Shape(2, 3, 8, 8), new Generator(5));
        double[] nchw = net.Forward(x).ToDoubleArray();
        net.ToMemoryFormat(Cl);
        Tensor y = net.Forward(x);
        Assert.Equal(Cl, y.MemoryFormat);
        AssertClose(nchw, y.ToDoubleArray(), "network", 1e-5);
    }

    [Fact]
    public void An_op_that_does_not_know_channels_last_refuses_it_with_the_way_out()
    {
        Tensor x = F.ToMemoryFormat(Input([2, 3, 4, 4], requiresGrad: false), Cl);
        var e = Assert.Throws<ArgumentException>(() => F.MaxPool2d(x, 2));
        Assert.Contains("max_pool2d", e.Message);
        Assert.Contains("F.Contiguous", e.Message);
        Assert.Equal(new Shape(2, 3, 2, 2), F.MaxPool2d(F.Contiguous(x), 2).Shape);
    }

    private static void AssertClose(double[] expected, double[] actual, string what, double tolerance = 1e-12)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])),
                $"{what}: element {i}: NCHW {expected[i]:R}, channels-last {actual[i]:R}");
    }
}
