using RawGan.Backends;
using RawGan.Backends.Cuda;
using RawGan.Gan;
using RawGan.GpuEmulator;
using RawGan.Nn;
using RawGan.Tensors;

namespace RawGan.Tests.Cuda;

/// <summary>
/// A bf16 training run learns like the FP32 one: from the same weights, data and noise, on the emulated GPU, the
/// losses of the first steps agree within what bfloat16's rounding of GEMM and convolution operands allows, while
/// the weights, Adam's moments and batch norm's running statistics stay float32 (autocast's master weights).
/// The longer comparison (a DCGAN-64 trained for epochs in both precisions, judged by the digit judge) needs a
/// GPU: tools/gpu/run-all.sh runs it.
/// </summary>
[Collection(nameof(EmulatedGpu))]
public class EmulatedBf16TrainingTests
{
    /// <summary>
    /// The tolerance on each loss. At the first step the two runs differ only by the operand rounding of each product
    /// layer: relative 2u₈ (two operands, u₈ = 2⁻⁸) per layer on the layer's output, so at most
    /// layers·2u₈ relative on a logit, and a BCE or least-squares loss (|dL/dlogit| ≤ 1 averaged) moves by at most that
    /// times max(1, |loss|). Each later step adds as much again (its forward pass), and the weights, updated from
    /// gradients perturbed the same way, have drifted by Adam steps of at most lr each, which the same per-step
    /// allowance covers at these learning rates: tolerance(t) = (t + 1)·layers·2u₈·max(1, |loss|).
    /// </summary>
    private static double Tolerance(int step, int layers, double loss) => (step + 1) * layers * 2.0 / 256 * Math.Max(1, Math.Abs(loss));

    [Theory]
    [InlineData(ModelKind.Mlp, 1, 8, 4, 8)]      // G and D: 4 Linear layers each
    [InlineData(ModelKind.Dcgan, 1, 16, 2, 6)]   // 16×16: G and D 3 convolutions each
    public void A_bf16_run_follows_the_fp32_run_within_bfloat16s_rounding(ModelKind model, int channels, int size, int steps, int layers)
    {
        var config = new GanConfig { Model = model, Nz = 8, Ngf = 4, Ndf = 4, BatchSize = 4, Seed = 11 };
        CudaBackend fp32 = EmulatedGpu.Backend, bf16 = fp32.Resources.Backend(Precision.Bf16);
        var a = new GanTrainer(config, channels, size, 1, fp32);
        var b = new GanTrainer(config, channels, size, 1, bf16);
        float[] images = Tensor.Rand(new Shape(4, channels, size, size), new Generator(3), low: -1, high: 1).ToFloatArray();

        bool differ = false;
        for (int step = 0; step < steps; step++)
        {
            StepMetrics x = Step(a, images), y = Step(b, images);
            Assert.True(Math.Abs(x.DLoss - y.DLoss) <= Tolerance(step, layers, x.DLoss), $"step {step + 1}: D loss {y.DLoss} in bf16, {x.DLoss} in fp32");
            Assert.True(Math.Abs(x.GLoss - y.GLoss) <= Tolerance(step, layers, x.GLoss), $"step {step + 1}: G loss {y.GLoss} in bf16, {x.GLoss} in fp32");
            differ |= x.DLoss != y.DLoss || x.GLoss != y.GLoss;
        }
        Assert.True(differ, "the bf16 run computed exactly the fp32 losses: its products were not rounded");

        // Master weights (and batch norm's running statistics, buffers of the modules) keep float32's 24 bits: after a few
        // Adam steps of about lr each, many are no longer bfloat16 values (low 16 bits zero), as they would be if
        // they were stored in bfloat16.
        float[] state = [.. b.G.Parameters().Concat(b.D.Parameters()).SelectMany(p => p.ToFloatArray())];
        Assert.All(b.G.Parameters().Concat(b.D.Parameters()), p => Assert.Equal(DType.Float32, p.DType));
        Assert.True(state.Count(v => (BitConverter.SingleToUInt32Bits(v) & 0xFFFF) != 0) > state.Length / 2, "weights were rounded to bfloat16");
    }

    private static StepMetrics Step(GanTrainer t, float[] images) =>
        t.TrainStep(Tensor.FromSpan<float>(images, new Shape(4, t.Channels, t.Size, t.Size), DType.Float32, t.Backend), null);
}
