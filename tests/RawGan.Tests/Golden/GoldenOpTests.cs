using RawGan.Backends;
using RawGan.Backends.Cpu;
using RawGan.Backends.Cpu.Reference;
using RawGan.Ops;
using RawGan.Optim;
using RawGan.Tensors;

namespace RawGan.Tests.Golden;

/// <summary>
/// Known answers from PyTorch (tools/golden/make_golden.py): forward values and the gradients of Σ y·dy, on both
/// CPU tiers. Tolerances: float32 sums of up to ~100 products of values of order 1 differ from PyTorch's summation
/// order by a few ulps per term, so atol 1e-5 with rtol 1e-4 is ten times the largest such difference seen and
/// far below any real mistake (a wrong term moves results by ~1e-1).
/// </summary>
public class GoldenOpTests
{
    public static TheoryData<string> Backends => new() { "default", "reference" };

    private static IBackend Backend(string name) => name == "reference" ? ReferenceBackend.Instance : CpuBackend.Default;

    [Theory]
    [MemberData(nameof(Backends))]
    public void Linear(string backend)
    {
        var g = GoldenFile.Load("linear");
        IBackend b = Backend(backend);
        Tensor x = g.Tensor("x", b, true), w = g.Tensor("weight", b, true), bias = g.Tensor("bias", b, true);
        Tensor y = F.Linear(x, w, bias);
        y.Backward(g.Tensor("dy", b));
        Close.Assert("y", g.F32("y"), y);
        Close.Assert("dx", g.F32("dx"), x.Grad!);
        Close.Assert("dweight", g.F32("dweight"), w.Grad!);
        Close.Assert("dbias", g.F32("dbias"), bias.Grad!);
    }

    [Theory]
    [InlineData("conv2d_k1", "default")]
    [InlineData("conv2d_k3s1p1", "default")]
    [InlineData("conv2d_k4s2p1_bias", "default")]
    [InlineData("conv2d_k5s2_same", "default")]
    [InlineData("conv2d_k5s2_same", "reference")]
    [InlineData("conv2d_k4s2p1_bias", "reference")]
    public void Conv2d(string file, string backend)
    {
        var g = GoldenFile.Load(file);
        IBackend b = Backend(backend);
        Tensor x = g.Tensor("x", b, true), w = g.Tensor("weight", b, true);
        Tensor? bias = g.Contains("bias") ? g.Tensor("bias", b, true) : null;
        int[] stride = g.I32("stride"), padding = g.I32("padding");
        Padding2d pad = g.Contains("pad_tlbr")
            ? new Padding2d(g.I32("pad_tlbr")[0], g.I32("pad_tlbr")[1], g.I32("pad_tlbr")[2], g.I32("pad_tlbr")[3])
            : Padding2d.Symmetric(padding[0], padding[1]);
        Tensor y = F.Conv2d(x, w, bias, (stride[0], stride[1]), pad);
        y.Backward(g.Tensor("dy", b));
        CheckConvGrads(g, y, x, w, bias);
    }

    [Theory]
    [InlineData("conv_transpose2d_k4s2p1", "default")]
    [InlineData("conv_transpose2d_k3s2p1op1", "default")]
    [InlineData("conv_transpose2d_k5s2p2op1", "default")]
    [InlineData("conv_transpose2d_k4s1p0_1x1", "default")]
    [InlineData("conv_transpose2d_k5s2p2op1", "reference")]
    [InlineData("conv_transpose2d_k4s1p0_1x1", "reference")]
    public void ConvTranspose2d(string file, string backend)
    {
        var g = GoldenFile.Load(file);
        IBackend b = Backend(backend);
        Tensor x = g.Tensor("x", b, true), w = g.Tensor("weight", b, true), bias = g.Tensor("bias", b, true);
        int[] stride = g.I32("stride"), padding = g.I32("padding"), outputPadding = g.I32("output_padding");
        Tensor y = F.ConvTranspose2d(x, w, bias, (stride[0], stride[1]), Padding2d.Symmetric(padding[0], padding[1]), (outputPadding[0], outputPadding[1]));
        y.Backward(g.Tensor("dy", b));
        CheckConvGrads(g, y, x, w, bias);
    }

    private static void CheckConvGrads(GoldenFile g, Tensor y, Tensor x, Tensor w, Tensor? bias)
    {
        Close.Assert("y", g.F32("y"), y);
        Close.Assert("dx", g.F32("dx"), x.Grad!);
        Close.Assert("dweight", g.F32("dweight"), w.Grad!);
        if (bias is not null) Close.Assert("dbias", g.F32("dbias"), bias.Grad!);
    }

    [Theory]
    [InlineData("batchnorm1d_train")]
    [InlineData("batchnorm1d_eval")]
    [InlineData("batchnorm2d_train")]
    [InlineData("batchnorm2d_eval")]
    [InlineData("batchnorm2d_small_variance")] // variance ~1.6e-5: eps = 1e-5 moves y by ~25%
    public void BatchNorm(string file)
    {
        var g = GoldenFile.Load(file);
        IBackend b = CpuBackend.Default;
        bool training = g.I32("training")[0] == 1;
        Tensor x = g.Tensor("x", b, true), w = g.Tensor("weight", b, true), bias = g.Tensor("bias", b, true);
        Tensor rm = g.Tensor("running_mean_before", b), rv = g.Tensor("running_var_before", b);
        Tensor y = F.BatchNorm(x, rm, rv, w, bias, training, g.Scalar("momentum"), g.Scalar("eps"));
        y.Backward(g.Tensor("dy", b));
        Close.Assert("y", g.F32("y"), y);
        Close.Assert("running_mean", g.F32("running_mean_after"), rm);
        Close.Assert("running_var", g.F32("running_var_after"), rv);
        Close.Assert("dx", g.F32("dx"), x.Grad!);
        Close.Assert("dweight", g.F32("dweight"), w.Grad!);
        Close.Assert("dbias", g.F32("dbias"), bias.Grad!);
    }

    [Fact]
    public void Activations()
    {
        var g = GoldenFile.Load("activations");
        foreach ((string name, Func<Tensor, Tensor> f) in new (string, Func<Tensor, Tensor>)[]
                 {
                     ("leaky_relu", x => F.LeakyRelu(x, g.Scalar("negative_slope"))), ("relu", F.Relu), ("tanh", F.Tanh), ("sigmoid", F.Sigmoid),
                 })
        {
            Tensor x = g.Tensor("x", CpuBackend.Default, true);
            Tensor y = f(x);
            y.Backward(g.Tensor("dy", CpuBackend.Default));
            Close.Assert(name + " y", g.F32(name + "_y"), y, 1e-6, 1e-5);
            Close.Assert(name + " dx", g.F32(name + "_dx"), x.Grad!, 1e-6, 1e-5);
        }
    }

    [Fact]
    public void Losses_including_the_log_clamp_at_exact_zeros_and_ones()
    {
        var g = GoldenFile.Load("losses");
        foreach ((string prefix, Func<Tensor, Tensor, Tensor> loss) in new (string, Func<Tensor, Tensor, Tensor>)[]
                 {
                     ("bce", (x, t) => F.BinaryCrossEntropy(x, t)), ("bcel", (x, t) => F.BinaryCrossEntropyWithLogits(x, t)), ("mse", (x, t) => F.MseLoss(x, t)),
                     ("ce", (x, t) => F.CrossEntropy(x, t)),
                 })
        {
            Tensor x = g.Tensor(prefix + "_input", CpuBackend.Default, true);
            Tensor l = loss(x, g.Tensor(prefix + "_target", CpuBackend.Default));
            l.Backward();
            Close.Assert(prefix + " loss", [g.Scalar(prefix + "_loss")], [l.Item()], 1e-5, 1e-5);
            // BCE's gradient at exactly 0 or 1 is ±1e12/N by PyTorch's eps clamp; rtol covers float32 there.
            Close.Assert(prefix + " dinput", g.F32(prefix + "_dinput"), x.Grad!, 1e-6, 1e-5);
        }
    }

    [Fact]
    public void Embedding_with_repeated_indices()
    {
        var g = GoldenFile.Load("embedding");
        Tensor w = g.Tensor("weight", CpuBackend.Default, true);
        Tensor y = F.Embedding(g.Indices("indices", CpuBackend.Default), w);
        y.Backward(g.Tensor("dy", CpuBackend.Default));
        Close.Assert("y", g.F32("y"), y, 0, 0);
        Close.Assert("dweight", g.F32("dweight"), w.Grad!, 1e-6, 1e-6);
    }

    [Theory]
    [InlineData("")]
    [InlineData("wd_")]
    public void Adam_three_steps(string prefix)
    {
        var g = GoldenFile.Load("adam");
        Tensor p = g.Tensor(prefix + "param0", CpuBackend.Default, true);
        var adam = new Adam([p], g.Scalar(prefix + "lr"), g.Scalar(prefix + "beta1"), g.Scalar(prefix + "beta2"), g.Scalar(prefix + "eps"), g.Scalar(prefix + "weight_decay"));
        for (int step = 1; step <= 3; step++)
        {
            p.Grad = g.Tensor($"{prefix}grad{step}", CpuBackend.Default);
            adam.Step();
            // PyTorch's and our float32 updates agree to the last ulp or two; 1e-7 absolute on values ~1.
            Close.Assert($"param after step {step}", g.F32($"{prefix}param{step}"), p, 1e-7, 1e-6);
        }
        var state = adam.StateDict().ToDictionary(e => e.Name, e => e.Value);
        Close.Assert("exp_avg", g.F32(prefix + "exp_avg"), state["state.0.exp_avg"], 1e-9, 1e-6);
        Close.Assert("exp_avg_sq", g.F32(prefix + "exp_avg_sq"), state["state.0.exp_avg_sq"], 1e-12, 1e-6);
        Assert.Equal(3, state["state.0.step"].Item());
    }
}
