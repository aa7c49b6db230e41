using RawGan.Backends.Cuda;
using RawGan.GpuEmulator;
using RawGan.Tensors;

namespace RawGan.Tests.Cuda;

/// <summary>Which code the CUDA backend's batch norm runs (cuDNN or kernels/batchnorm.ptx), and cuDNN's running
/// statistics against PyTorch's definition, written out here: running_mean ← (1 - momentum)·running_mean +
/// momentum·mean, running_var ← (1 - momentum)·running_var + momentum·var·M/(M - 1) (the unbiased variance over the
/// M = N·H·W values of a channel), which cuDNN's exponentialAverageFactor = momentum gives.</summary>
[Collection(nameof(EmulatedGpu))]
public class EmulatedBatchNormPathTests
{
    private const int N = 3, C = 2, H = 4, W = 5, M = N * H * W;

    [Theory]
    [InlineData(CudaBatchNorm.CudnnPersistent, true)]
    [InlineData(CudaBatchNorm.CudnnSpatial, true)]
    [InlineData(CudaBatchNorm.Ptx, false)]
    public void Image_training_goes_to_cudnn_unless_the_ptx_is_chosen_and_eval_and_1d_never_do(CudaBatchNorm path, bool cudnn)
    {
        CudaBackend b = EmulatedGpu.Backend;
        BatchNormPaths.On(b, path, () =>
        {
            using var scope = new TensorScope();
            Tensor x = Tensor.Rand(new Shape(N, C, H, W), new Generator(1), DType.Float32, b), y = Tensor.Zeros(x.Shape, DType.Float32, b);
            Tensor w = Tensor.Full(new Shape(C), 1, DType.Float32, b), bias = Tensor.Zeros(new Shape(C), DType.Float32, b);
            Tensor rm = Tensor.Zeros(new Shape(C), DType.Float32, b), rv = Tensor.Full(new Shape(C), 1, DType.Float32, b);
            Tensor mean = Tensor.Zeros(new Shape(C), DType.Float32, b), inv = Tensor.Zeros(new Shape(C), DType.Float32, b);
            long calls = EmulatedGpu.Api.BatchNormCalls;
            b.BatchNormForward(x, w, bias, rm, rv, true, 0.1, 1e-5, y, mean, inv);
            b.BatchNormBackward(x, y, w, mean, inv, true, Tensor.Zeros(x.Shape, DType.Float32, b), null, null);
            _ = y.ToFloatArray();
            Assert.Equal(cudnn ? 2 : 0, EmulatedGpu.Api.BatchNormCalls - calls);

            calls = EmulatedGpu.Api.BatchNormCalls;
            b.BatchNormForward(x, w, bias, rm, rv, false, 0.1, 1e-5, y, mean, inv);
            b.BatchNormForward(x, null, null, rm, rv, true, 0.1, 1e-5, y, mean, inv); // no affine parameters: cuDNN cannot
            Tensor flat = Tensor.Rand(new Shape(N, C), new Generator(3), DType.Float32, b), flatY = Tensor.Zeros(flat.Shape, DType.Float32, b);
            b.BatchNormForward(flat, w, bias, rm, rv, true, 0.1, 1e-5, flatY, mean, inv); // BatchNorm1d stays on the PTX
            b.BatchNormBackward(flat, flatY, w, mean, inv, true, Tensor.Zeros(flat.Shape, DType.Float32, b), null, null);
            _ = y.ToFloatArray();
            Assert.Equal(0, EmulatedGpu.Api.BatchNormCalls - calls);
        });
    }

    [Fact]
    public void Cudnn_updates_the_running_statistics_as_pytorch_does()
    {
        CudaBackend b = EmulatedGpu.Backend;
        BatchNormPaths.On(b, CudaBatchNorm.CudnnPersistent, () =>
        {
            using var scope = new TensorScope();
            const double momentum = 0.3;
            float[] x = Tensor.Rand(new Shape(N, C, H, W), new Generator(2), low: -1, high: 3).ToFloatArray();
            float[] rm0 = [0.5f, -0.25f], rv0 = [2f, 0.75f];
            Tensor rm = Tensor.FromSpan<float>(rm0, new Shape(C), DType.Float32, b), rv = Tensor.FromSpan<float>(rv0, new Shape(C), DType.Float32, b);
            Tensor y = Tensor.Zeros(new Shape(N, C, H, W), DType.Float32, b);
            Tensor mean = Tensor.Zeros(new Shape(C), DType.Float32, b), inv = Tensor.Zeros(new Shape(C), DType.Float32, b);
            b.BatchNormForward(Tensor.FromSpan<float>(x, y.Shape, DType.Float32, b), Tensor.Full(new Shape(C), 1, DType.Float32, b),
                Tensor.Zeros(new Shape(C), DType.Float32, b), rm, rv, true, momentum, 1e-5, y, mean, inv);
            float[] runningMean = rm.ToFloatArray(), runningVar = rv.ToFloatArray(), saved = mean.ToFloatArray(), savedInv = inv.ToFloatArray();
            for (int c = 0; c < C; c++)
            {
                double[] v = Enumerable.Range(0, N).SelectMany(n => x.Skip((n * C + c) * H * W).Take(H * W)).Select(f => (double)f).ToArray();
                double mu = v.Average(), biased = v.Sum(e => (e - mu) * (e - mu)) / M;
                Assert.Equal(mu, saved[c], 1e-6);
                Assert.Equal(1 / Math.Sqrt(biased + 1e-5), savedInv[c], 1e-5);
                Assert.Equal((1 - momentum) * rm0[c] + momentum * mu, runningMean[c], 1e-6);
                Assert.Equal((1 - momentum) * rv0[c] + momentum * biased * M / (M - 1), runningVar[c], 1e-6);
            }
        });
    }

    [Theory]
    [InlineData(null, CudaBatchNorm.CudnnPersistent)]
    [InlineData("", CudaBatchNorm.CudnnPersistent)]
    [InlineData(" Persistent", CudaBatchNorm.CudnnPersistent)]
    [InlineData("spatial", CudaBatchNorm.CudnnSpatial)]
    [InlineData("PTX", CudaBatchNorm.Ptx)]
    public void The_environment_variable_names_the_path(string? value, CudaBatchNorm expected) =>
        Assert.Equal(expected, CudaBackend.ParseBatchNorm(value));

    [Fact]
    public void An_unknown_path_is_refused_with_the_variable_and_the_choices()
    {
        var e = Assert.Throws<InvalidOperationException>(() => CudaBackend.ParseBatchNorm("fused"));
        Assert.Equal("RAWGAN_CUDA_BATCHNORM=fused: expected persistent, spatial or ptx.", e.Message);
    }
}
