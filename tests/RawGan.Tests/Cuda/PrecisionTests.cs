using RawGan.Backends;
using RawGan.Backends.Cpu;
using RawGan.Backends.Cuda;
using RawGan.GpuEmulator;
using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Tests.Cuda;

/// <summary>Precision is a property of a backend object, not of the process: an FP32 and a TF32 backend on one device
/// live side by side, share its memory pool and stream, and each asks cuBLAS and cuDNN for its own math.</summary>
[Collection(nameof(EmulatedGpu))]
public class PrecisionTests
{
    private readonly EmulatedCudaApi _api = new();
    private readonly CudaBackend _fp32, _tf32;

    public PrecisionTests()
    {
        _fp32 = EmulatedGpu.Create(_api);
        _tf32 = _fp32.Resources.Backend(Precision.Tf32);
    }

    [Fact]
    public void Backends_of_two_precisions_share_one_device()
    {
        Assert.Equal(Precision.Fp32, _fp32.Precision);
        Assert.Equal(Precision.Tf32, _tf32.Precision);
        Assert.NotSame(_fp32, _tf32);
        Assert.Same(_fp32, _tf32.Resources.Backend(Precision.Fp32));
        Assert.Equal(_fp32.Device, _tf32.Device);
        Assert.Same(_fp32.Allocator, _tf32.Allocator);
        Assert.Equal(_fp32.Stream, _tf32.Stream);
    }

    [Fact]
    public void Each_gemm_runs_in_its_backends_cublas_math_mode_and_both_are_correct()
    {
        using var scope = new TensorScope();
        var rng = new Generator(5);
        float[] a = Tensor.Rand(new Shape(6, 7), rng, DType.Float32, CpuBackend.Default, -1, 1).ToArray<float>();
        float[] b = Tensor.Rand(new Shape(7, 4), rng, DType.Float32, CpuBackend.Default, -1, 1).ToArray<float>();
        float[] expected = Gemm(CpuBackend.Default, a, b);

        foreach (CudaBackend backend in new[] { _fp32, _tf32, _fp32 })
            Assert.Equal(expected, Gemm(backend, a, b), (x, y) => Math.Abs(x - y) <= 1e-5);

        Assert.Equal([Interop.Cublas.DefaultMath, Interop.Cublas.Tf32TensorOpMath, Interop.Cublas.DefaultMath], _api.GemmMathModes);
    }

    [Fact]
    public void Each_convolution_plan_takes_its_backends_cudnn_math_type_and_both_are_correct()
    {
        using var scope = new TensorScope();
        var g = new ConvGeometry(2, 3, 6, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1);
        var rng = new Generator(6);
        float[] x = Tensor.Rand(new Shape(g.InputShape), rng, DType.Float32, CpuBackend.Default, -1, 1).ToArray<float>();
        float[] w = Tensor.Rand(new Shape(g.WeightShape), rng, DType.Float32, CpuBackend.Default, -1, 1).ToArray<float>();
        float[] expected = Conv(CpuBackend.Default, g, x, w);

        Assert.Equal(expected, Conv(_fp32, g, x, w), (p, q) => Math.Abs(p - q) <= 1e-5);
        int[] fp32Types = [.. _api.ConvMathTypes];
        Assert.Equal(expected, Conv(_tf32, g, x, w), (p, q) => Math.Abs(p - q) <= 1e-5);
        int[] tf32Types = [.. _api.ConvMathTypes.Skip(fp32Types.Length)];

        // FP32 pins every descriptor to FMA math; TF32 leaves cuDNN free to pick tensor-op math (PyTorch's defaults).
        Assert.NotEmpty(fp32Types);
        Assert.All(fp32Types, t => Assert.Equal(Interop.Cudnn.FmaMath, t));
        Assert.Contains(Interop.Cudnn.DefaultMath, tf32Types);
    }

    [Fact]
    public void A_bf16_backend_multiplies_with_cublasGemmEx_and_convolves_with_the_tensor_op_math_cudnn_ranks()
    {
        using var scope = new TensorScope();
        CudaBackend bf16 = _fp32.Resources.Backend(Precision.Bf16);
        var rng = new Generator(7);
        float[] a = Tensor.Rand(new Shape(6, 7), rng, DType.Float32, CpuBackend.Default, -1, 1).ToArray<float>();
        float[] b = Tensor.Rand(new Shape(7, 4), rng, DType.Float32, CpuBackend.Default, -1, 1).ToArray<float>();
        Gemm(bf16, a, b);
        Gemm(_fp32, a, b);
        Assert.Equal([EmulatedCudaApi.BFloat16Gemm, Interop.Cublas.DefaultMath], _api.GemmMathModes);

        var g = new ConvGeometry(2, 3, 6, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1);
        float[] x = Tensor.Rand(new Shape(g.InputShape), rng, DType.Float32, CpuBackend.Default, -1, 1).ToArray<float>();
        float[] w = Tensor.Rand(new Shape(g.WeightShape), rng, DType.Float32, CpuBackend.Default, -1, 1).ToArray<float>();
        Conv(bf16, g, x, w);
        // The emulated cuDNN ranks its one algorithm with tensor-op math on bfloat16 descriptors: the plan takes it.
        Assert.Contains(Interop.Cudnn.TensorOpMath, _api.ConvMathTypes);
    }

    private static float[] Gemm(IBackend backend, float[] a, float[] b)
    {
        Tensor c = Tensor.Empty(new Shape(6, 4), DType.Float32, backend);
        backend.Gemm(false, false, 1, Tensor.FromSpan<float>(a, new Shape(6, 7), DType.Float32, backend),
            Tensor.FromSpan<float>(b, new Shape(7, 4), DType.Float32, backend), 0, c);
        return c.ToArray<float>();
    }

    private static float[] Conv(IBackend backend, ConvGeometry g, float[] x, float[] w)
    {
        Tensor y = Tensor.Empty(new Shape(g.OutputShape), DType.Float32, backend);
        backend.Conv2d(g, Tensor.FromSpan<float>(x, new Shape(g.InputShape), DType.Float32, backend),
            Tensor.FromSpan<float>(w, new Shape(g.WeightShape), DType.Float32, backend), y);
        return y.ToArray<float>();
    }

    [Fact]
    public void Mixing_tensors_of_two_precisions_names_the_precisions_not_two_devices()
    {
        using var scope = new TensorScope();
        var a = Tensor.Zeros(new Shape(2, 3), DType.Float32, _fp32);
        var b = Tensor.Zeros(new Shape(2, 3), DType.Float32, _tf32);
        var e = Assert.Throws<ArgumentException>(() => a + b);
        Assert.Contains("different precision policies (Fp32 and Tf32)", e.Message);
        Assert.DoesNotContain("different devices", e.Message);
    }
}
