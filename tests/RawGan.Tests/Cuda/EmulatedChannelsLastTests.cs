using RawGan.Autograd;
using RawGan.Backends;
using RawGan.Backends.Cpu;
using RawGan.Backends.Cuda;
using RawGan.Gan;
using RawGan.GpuEmulator;
using RawGan.Ops;
using RawGan.Tensors;
using RawGan.Tests.Gan;
using RawGan.Tests.Ops;

namespace RawGan.Tests.Cuda;

/// <summary>
/// Channels-last on the CUDA backend (emulated GPU): kernels/layout.ptx against its CPU twin; each format-aware op
/// with cuDNN's NHWC descriptors (the emulated cuDNN honours them, reading and writing NHWC, and refuses mixed
/// layouts) against the same op in NCHW; batch norm on each of its three paths; and DCGAN and cDCGAN training steps
/// in channels-last against NCHW at fp32 and bf16, with exact resume.
/// </summary>
[Collection(nameof(EmulatedGpu))]
public class EmulatedChannelsLastTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 33, 70)]
    [InlineData(2, 64, 16)]
    [InlineData(4, 1, 37)]
    [InlineData(1, 40, 1)]
    public void The_transpose_kernel_matches_the_cpu(int batch, int rows, int cols)
    {
        CudaBackend b = EmulatedGpu.Backend;
        using var scope = new TensorScope();
        Tensor x = Tensor.Randn(new Shape(batch, rows, cols), new Generator(2));
        Tensor expected = Tensor.Empty(x.Shape, DType.Float32, CpuBackend.Default), actual = Tensor.Full(x.Shape, float.NaN, DType.Float32, b);
        CpuBackend.Default.Transpose(x, expected, batch, rows, cols);
        b.Transpose(x.To(b), actual, batch, rows, cols);
        Assert.Equal(expected.ToFloatArray(), actual.ToFloatArray());
    }

    [Fact]
    public void The_emulated_cudnn_refuses_a_convolution_whose_operands_are_in_different_layouts()
    {
        var api = new EmulatedCudaApi();
        nint Tensor4d(int format, int c)
        {
            api.cudnnCreateTensorDescriptor(out nint d);
            api.cudnnSetTensor4dDescriptor(d, format, Interop.Cudnn.DataFloat, 1, c, 3, 3);
            return d;
        }
        nint x = Tensor4d(Interop.Cudnn.TensorNhwc, 2), y = Tensor4d(Interop.Cudnn.TensorNhwc, 4), yNchw = Tensor4d(Interop.Cudnn.TensorNchw, 4);
        api.cudnnCreateFilterDescriptor(out nint kcrs);
        api.cudnnSetFilter4dDescriptor(kcrs, Interop.Cudnn.DataFloat, Interop.Cudnn.TensorNchw, 4, 2, 1, 1);
        api.cudnnCreateFilterDescriptor(out nint krsc);
        api.cudnnSetFilter4dDescriptor(krsc, Interop.Cudnn.DataFloat, Interop.Cudnn.TensorNhwc, 4, 2, 1, 1);
        api.cudnnCreateConvolutionDescriptor(out nint conv);
        api.cudnnSetConvolution2dDescriptor(conv, 0, 0, 1, 1, 1, 1, Interop.Cudnn.CrossCorrelation, Interop.Cudnn.DataFloat);

        Assert.Equal(Interop.Cudnn.StatusSuccess, api.cudnnGetConvolutionForwardWorkspaceSize(1, x, krsc, conv, y, 0, out _));
        foreach ((nint w, nint output) in new[] { (kcrs, y), (krsc, yNchw) })
        {
            var e = Assert.Throws<InvalidOperationException>(() => api.cudnnGetConvolutionForwardWorkspaceSize(1, x, w, conv, output, 0, out _));
            Assert.Contains("different layouts", e.Message);
        }
    }

    [Theory]
    [InlineData("conv2d", CudaBatchNorm.CudnnPersistent)]
    [InlineData("conv2d_same", CudaBatchNorm.CudnnPersistent)] // asymmetric padding: the explicit-padding path in NHWC
    [InlineData("conv_transpose2d", CudaBatchNorm.CudnnPersistent)]
    [InlineData("batch_norm", CudaBatchNorm.CudnnPersistent)]
    [InlineData("batch_norm", CudaBatchNorm.CudnnSpatial)]
    [InlineData("batch_norm", CudaBatchNorm.Ptx)]
    [InlineData("bias", CudaBatchNorm.CudnnPersistent)]
    [InlineData("concat", CudaBatchNorm.CudnnPersistent)]
    [InlineData("sum_to", CudaBatchNorm.CudnnPersistent)]
    [InlineData("flatten", CudaBatchNorm.CudnnPersistent)]
    [InlineData("mul_bcast", CudaBatchNorm.CudnnPersistent)]
    public void Each_op_in_channels_last_gives_the_NCHW_values_and_gradients(string op, CudaBatchNorm batchNorm)
    {
        CudaBackend b = EmulatedGpu.Backend;
        BatchNormPaths.On(b, batchNorm, () =>
        {
            using var scope = new TensorScope();
            var g = new Generator(7);
            Tensor[] inputs = [.. ChannelsLastTests.OperandShapes.Select(s => Tensor.Randn(new Shape(s), g).To(b))];
            foreach (Tensor t in inputs) t.RequiresGrad = true;
            var runs = new List<float[][]>();
            foreach (MemoryFormat format in new[] { MemoryFormat.Contiguous, MemoryFormat.ChannelsLast })
            {
                foreach (Tensor t in inputs) t.Grad = null;
                Tensor y = ChannelsLastTests.Apply(op, inputs, format);
                y.Backward(Tensor.Randn(y.Shape, new Generator(9)).To(b));
                runs.Add([y.ToFloatArray(), .. inputs.Select(t => t.Grad?.ToFloatArray() ?? [])]);
            }
            for (int i = 0; i < runs[0].Length; i++)
                for (int k = 0; k < runs[0][i].Length; k++)
                    Assert.True(Math.Abs(runs[0][i][k] - runs[1][i][k]) <= 1e-4 * Math.Max(1, Math.Abs(runs[0][i][k])),
                        $"{op}: {(i == 0 ? "output" : $"gradient of input {i - 1}")} element {k}: NCHW {runs[0][i][k]}, channels-last {runs[1][i][k]}");
        });
    }

    private static GanConfig Config(ModelKind model, bool channelsLast, Precision? precision = null) =>
        new() { Model = model, Nz = 8, Ngf = 4, Ndf = 4, BatchSize = 4, Seed = 13, ChannelsLast = channelsLast, Precision = precision, LogEvery = 2 };

    /// <summary>
    /// Two steps from the same weights, data and noise: the channels-last losses are the NCHW ones to float rounding.
    /// The emulated cuDNN sums each convolution in float64 whatever the layout, so what differs is the order of batch
    /// norm's sums and float32 rounding; at bf16 both runs round the same operand values to bfloat16 (the casts are
    /// elementwise), so they agree about as closely, a bfloat16 rounding flipped by a last-bit difference now and
    /// then aside. On a GPU, cuDNN's NHWC and NCHW algorithms sum in other orders, which only a GPU run can show.
    /// </summary>
    [Theory]
    [InlineData(ModelKind.Dcgan, 1, null)]
    [InlineData(ModelKind.Cdcgan, 3, null)]
    [InlineData(ModelKind.Dcgan, 1, Precision.Bf16)]
    [InlineData(ModelKind.Cdcgan, 3, Precision.Bf16)]
    public void A_training_step_in_channels_last_follows_the_NCHW_step(ModelKind model, int classes, Precision? precision)
    {
        IBackend backend = precision is { } p ? EmulatedGpu.Backend.Resources.Backend(p) : EmulatedGpu.Backend;
        var nchw = new GanTrainer(Config(model, false, precision), 1, 16, classes, backend);
        var cl = new GanTrainer(Config(model, true, precision), 1, 16, classes, backend);
        float[] images = Tensor.Rand(new Shape(4, 1, 16, 16), new Generator(3), low: -1, high: 1).ToFloatArray();
        int[] labels = [0, 1, 2, 1];
        for (int step = 0; step < 2; step++)
        {
            StepMetrics a = Step(nchw, images, labels), c = Step(cl, images, labels);
            double tolerance(double loss) => (precision is null ? 1e-4 : 1e-3) * Math.Max(1, Math.Abs(loss));
            Assert.True(Math.Abs(a.DLoss - c.DLoss) <= tolerance(a.DLoss), $"step {step + 1}: D loss {c.DLoss} channels-last, {a.DLoss} NCHW");
            Assert.True(Math.Abs(a.GLoss - c.GLoss) <= tolerance(a.GLoss), $"step {step + 1}: G loss {c.GLoss} channels-last, {a.GLoss} NCHW");
        }
        if (precision is null)
        {
            // Adam's first steps move each weight by about lr·sign(gradient): a gradient near 0 may take either sign.
            double[] diff = [.. Weights(nchw).Zip(Weights(cl), (x, y) => (double)Math.Abs(x - y))];
            Assert.True(diff.Max() <= 4 * nchw.Config.Lr, $"largest weight difference {diff.Max()}");
            Assert.True(diff.Average() <= 1e-6, $"mean weight difference {diff.Average()}");
        }
        using (GradMode.NoGrad())
        {
            Tensor? two = cl.IsConditional ? Tensor.FromSpan<int>([0, 1], new Shape(2), DType.Int32, backend) : null;
            Assert.Equal(MemoryFormat.ChannelsLast, cl.G.Generate(Tensor.Zeros(new Shape(2, 8), DType.Float32, backend), two).MemoryFormat);
        }
    }

    /// <summary>The model variants and stabilisers whose ops meet channels-last activations (dense heads, label
    /// projection, the auxiliary classifier and its cross-entropy, per-batch statistics, augmentations, spectral norm,
    /// the averaged generator): each step as NCHW's.</summary>
    [Theory]
    [InlineData("tensorflow")]
    [InlineData("projection")]
    [InlineData("aux-classifier")]
    [InlineData("minibatch-std")]
    [InlineData("minibatch-discrimination")]
    [InlineData("diffaugment")]
    [InlineData("spectral-norm")]
    [InlineData("ema")]
    public void Variants_and_stabilisers_step_in_channels_last_as_in_NCHW(string variant)
    {
        GanConfig With(bool channelsLast)
        {
            GanConfig c = Config(variant is "projection" or "aux-classifier" ? ModelKind.Cdcgan : ModelKind.Dcgan, channelsLast);
            return variant switch
            {
                "tensorflow" => c with { Variant = RawGan.Gan.Models.DcganVariant.TensorFlow },
                "projection" => c with { Conditioning = RawGan.Gan.Models.LabelConditioning.Projection },
                "aux-classifier" => c with { AuxClassifier = 1 },
                "minibatch-std" => c with { MinibatchStd = true },
                "minibatch-discrimination" => c with { MinibatchDiscrimination = "2,3" },
                "diffaugment" => c with { DiffAugment = "color,translation,cutout" },
                "spectral-norm" => c with { SpectralNorm = true },
                _ => c with { Ema = 0.9 },
            };
        }
        int classes = variant is "projection" or "aux-classifier" ? 3 : 1;
        var nchw = new GanTrainer(With(false), 1, 16, classes, EmulatedGpu.Backend);
        var cl = new GanTrainer(With(true), 1, 16, classes, EmulatedGpu.Backend);
        float[] images = Tensor.Rand(new Shape(4, 1, 16, 16), new Generator(3), low: -1, high: 1).ToFloatArray();
        for (int step = 0; step < 2; step++)
        {
            StepMetrics a = Step(nchw, images, [0, 1, 2, 1]), c = Step(cl, images, [0, 1, 2, 1]);
            Assert.True(Math.Abs(a.DLoss - c.DLoss) <= 1e-4 * Math.Max(1, Math.Abs(a.DLoss)), $"{variant}, step {step + 1}: D loss {c.DLoss} channels-last, {a.DLoss} NCHW");
            Assert.True(Math.Abs(a.GLoss - c.GLoss) <= 1e-4 * Math.Max(1, Math.Abs(a.GLoss)), $"{variant}, step {step + 1}: G loss {c.GLoss} channels-last, {a.GLoss} NCHW");
        }
        if (variant == "ema")
        {
            double[] diff = [.. nchw.Average!.Model.Parameters().SelectMany(p => p.ToFloatArray())
                .Zip(cl.Average!.Model.Parameters().SelectMany(p => p.ToFloatArray()), (x, y) => (double)Math.Abs(x - y))];
            Assert.True(diff.Average() <= 1e-6, $"averaged generators differ by {diff.Average()} on average");
        }
    }

    /// <summary>A captured step (--cuda-graphs) replays the channels-last step bit for bit.</summary>
    [Fact]
    public void A_channels_last_step_replays_as_a_cuda_graph_bit_for_bit()
    {
        var eager = new GanTrainer(Config(ModelKind.Dcgan, true), 1, 16, 1, EmulatedGpu.Backend);
        var graph = new GanTrainer(Config(ModelKind.Dcgan, true) with { CudaGraphs = true }, 1, 16, 1, EmulatedGpu.Backend);
        float[] images = Tensor.Rand(new Shape(4, 1, 16, 16), new Generator(3), low: -1, high: 1).ToFloatArray();
        long launches = EmulatedGpu.Api.GraphLaunches;
        for (int step = 0; step < 4; step++) Assert.Equal(Step(eager, images, [0, 0, 0, 0]), Step(graph, images, [0, 0, 0, 0]));
        Assert.True(EmulatedGpu.Api.GraphLaunches > launches, "no graph was launched");
        Assert.Equal(Weights(eager), Weights(graph));
    }

    [Fact]
    public void A_channels_last_run_resumed_mid_run_continues_exactly()
    {
        var data = new TinyDataset(12, 1, 16, 3);
        string whole = Directory.CreateTempSubdirectory("rawgan-cl-").FullName, halves = Directory.CreateTempSubdirectory("rawgan-cl-").FullName;
        try
        {
            GanConfig config = Config(ModelKind.Cdcgan, true) with { Epochs = 2 };
            using var straight = TrainingRun.Create(config, data, EmulatedGpu.Backend, whole);
            Assert.Equal(RunOutcome.Completed, straight.Run(TestContext.Current.CancellationToken));
            using (var first = TrainingRun.Create(config, data, EmulatedGpu.Backend, halves))
                Assert.Equal(RunOutcome.Interrupted, first.Run(TestContext.Current.CancellationToken, stopAtStep: 4));
            using var resumed = TrainingRun.Resume(halves, data, EmulatedGpu.Backend);
            Assert.True(resumed.Trainer.Config.ChannelsLast);
            Assert.Equal(RunOutcome.Completed, resumed.Run(TestContext.Current.CancellationToken));
            Assert.Equal(6, resumed.Trainer.Step);
            Assert.Equal(Weights(straight.Trainer), Weights(resumed.Trainer));
        }
        finally
        {
            Directory.Delete(whole, recursive: true);
            Directory.Delete(halves, recursive: true);
        }
    }

    private static float[] Weights(GanTrainer t) =>
        [.. t.G.StateDict().Concat(t.D.StateDict()).Concat(t.OptG.StateDict()).Concat(t.OptD.StateDict()).SelectMany(p => p.Value.ToFloatArray())];

    /// <summary>One step, its intermediates returned to the pool at the end (as training does; a captured step needs
    /// the warm-up's blocks back in the cache).</summary>
    private static StepMetrics Step(GanTrainer t, float[] images, int[] labels)
    {
        using var scope = new TensorScope();
        int n = labels.Length;
        Tensor real = Tensor.FromSpan<float>(images, new Shape(n, t.Channels, t.Size, t.Size), DType.Float32, t.Backend);
        Tensor? y = t.IsConditional ? Tensor.FromSpan<int>(labels, new Shape(n), DType.Int32, t.Backend) : null;
        return t.TrainStep(real, y);
    }
}
