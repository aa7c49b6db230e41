using RawGan.GpuEmulator;
using RawGan.Nn;
using RawGan.Tensors;

namespace RawGan.Tests.Cuda;

/// <summary>BatchNorm2d in eval mode on the emulated GPU against the formula, written out here: the conformance suite
/// checks the CUDA primitive against the reference backend; this checks the layer a sampler uses, end to end.</summary>
[Collection(nameof(EmulatedGpu))]
public class EmulatedBatchNormEvalTests
{
    [Fact]
    public void Eval_mode_normalises_with_the_running_statistics_and_eps()
    {
        const int n = 2, c = 3, s = 5 * 5;
        const double eps = 1e-5;
        float[] mean = [0.5f, -1f, 2f], variance = [4f, 1e-4f, 0.25f]; // 1e-4: eps moves the result by 5%
        float[] weight = [1.5f, -0.5f, 2f], bias = [0.1f, 0f, -3f];
        var bn = new BatchNorm2d(c);
        var state = bn.StateDict().ToDictionary(e => e.Name, e => e.Value);
        state["weight"] = Tensor.FromArray(weight, new Shape(c));
        state["bias"] = Tensor.FromArray(bias, new Shape(c));
        state["running_mean"] = Tensor.FromArray(mean, new Shape(c));
        state["running_var"] = Tensor.FromArray(variance, new Shape(c));
        bn.LoadStateDict(state);
        bn.Eval();
        bn.To(EmulatedGpu.Backend);
        float[] x = Tensor.Rand(new Shape(n, c, 5, 5), new Generator(4), low: -3, high: 3).ToFloatArray();

        float[] y = bn.Forward(Tensor.FromSpan<float>(x, new Shape(n, c, 5, 5), DType.Float32, EmulatedGpu.Backend)).ToFloatArray();

        for (int i = 0; i < x.Length; i++)
        {
            int ch = i / s % c;
            double expected = (x[i] - mean[ch]) / Math.Sqrt(variance[ch] + eps) * weight[ch] + bias[ch];
            Assert.True(Math.Abs(expected - y[i]) <= 1e-5 * (1 + Math.Abs(expected)), $"y[{i}] = {y[i]}, expected {expected}");
        }
        // The running statistics are read, never updated, in eval mode.
        Assert.Equal(mean, bn.RunningMean!.ToFloatArray());
        Assert.Equal(variance, bn.RunningVar!.ToFloatArray());
    }
}
