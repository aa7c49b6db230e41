using RawGan.Backends;
using RawGan.Backends.Cpu;
using RawGan.Backends.Cuda;
using RawGan.GpuEmulator;
using RawGan.Tensors;

namespace RawGan.Tests.Cuda;

/// <summary>How the CUDA backend chooses cuDNN convolution algorithms (<see cref="ConvAlgorithmSearch"/>), on the
/// emulated cuDNN, which offers algorithm 0 (token workspace), 1 (im2col-sized workspace, twice as fast) and, for
/// the backward passes, 2 (fastest, not deterministic).</summary>
[Collection(nameof(EmulatedGpu))]
public class ConvAlgorithmSearchTests
{
    private static readonly ConvGeometry G = new(2, 3, 6, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1);

    private const string Fwd = "cudnnConvolutionForward", Data = "cudnnConvolutionBackwardData", Filter = "cudnnConvolutionBackwardFilter";

    /// <summary>Forward, backward data and backward filter, <paramref name="repeats"/> times each, checked against the CPU.</summary>
    private static void RunAllThree(CudaBackend backend, int repeats = 1)
    {
        using var scope = new TensorScope();
        var rng = new Generator(14);
        Tensor x = Tensor.Rand(new Shape(G.InputShape), rng, DType.Float32, CpuBackend.Default, -1, 1);
        Tensor w = Tensor.Rand(new Shape(G.WeightShape), rng, DType.Float32, CpuBackend.Default, -1, 1);
        Tensor dy = Tensor.Rand(new Shape(G.OutputShape), rng, DType.Float32, CpuBackend.Default, -1, 1);
        IBackend cpu = CpuBackend.Default;
        Tensor yc = Tensor.Empty(new Shape(G.OutputShape), DType.Float32, cpu);
        Tensor dxc = Tensor.Empty(new Shape(G.InputShape), DType.Float32, cpu);
        Tensor dwc = Tensor.Empty(new Shape(G.WeightShape), DType.Float32, cpu);
        cpu.Conv2d(G, x, w, yc);
        cpu.Conv2dBackwardData(G, dy, w, dxc);
        cpu.Conv2dBackwardFilter(G, x, dy, dwc);
        Tensor xd = x.To(backend), wd = w.To(backend), dyd = dy.To(backend);
        for (int r = 0; r < repeats; r++)
        {
            Tensor y = Tensor.Empty(new Shape(G.OutputShape), DType.Float32, backend);
            Tensor dx = Tensor.Empty(new Shape(G.InputShape), DType.Float32, backend);
            Tensor dw = Tensor.Empty(new Shape(G.WeightShape), DType.Float32, backend);
            backend.Conv2d(G, xd, wd, y);
            backend.Conv2dBackwardData(G, dyd, wd, dx);
            backend.Conv2dBackwardFilter(G, xd, dyd, dw);
            // Find overwrote each output with NaN: what is read here is the chosen algorithm's own result.
            Assert.Equal(yc.ToArray<float>(), y.ToArray<float>(), (p, q) => Math.Abs(p - q) <= 1e-5);
            Assert.Equal(dxc.ToArray<float>(), dx.ToArray<float>(), (p, q) => Math.Abs(p - q) <= 1e-5);
            Assert.Equal(dwc.ToArray<float>(), dw.ToArray<float>(), (p, q) => Math.Abs(p - q) <= 1e-5);
        }
    }

    [Fact]
    public void Benchmark_finds_once_per_shape_and_direction_and_runs_the_fastest_deterministic_algorithm()
    {
        var api = new EmulatedCudaApi();
        RunAllThree(EmulatedGpu.Create(api, new ConvAlgorithmSearch(Benchmark: true)), repeats: 3);

        Assert.Equal(3, api.FindCalls); // one per direction, kept for the later calls
        // Algorithm 1 is the fastest that is deterministic; 2, faster still for the backward passes, is passed over.
        Assert.Equal([(Fwd, 1), (Data, 1), (Filter, 1), (Fwd, 1), (Data, 1), (Filter, 1), (Fwd, 1), (Data, 1), (Filter, 1)],
            api.ConvolutionsRun);
    }

    [Fact]
    public void Benchmark_respects_the_workspace_limit()
    {
        var api = new EmulatedCudaApi();
        RunAllThree(EmulatedGpu.Create(api, new ConvAlgorithmSearch(Benchmark: true, MaxWorkspaceBytes: EmulatedCudaApi.WorkspaceBytes)));
        Assert.Equal(3, api.FindCalls);
        Assert.Equal([(Fwd, 0), (Data, 0), (Filter, 0)], api.ConvolutionsRun); // im2col's workspace is over the limit
    }

    [Fact]
    public void Without_benchmark_the_heuristic_choice_runs_and_find_is_never_called()
    {
        var api = new EmulatedCudaApi();
        CudaBackend backend = EmulatedGpu.Create(api, new ConvAlgorithmSearch(Benchmark: false));
        RunAllThree(backend, repeats: 2);
        Assert.Equal(0, api.FindCalls);
        Assert.Equal([(Fwd, 0), (Data, 0), (Filter, 0), (Fwd, 0), (Data, 0), (Filter, 0)], api.ConvolutionsRun);
        Assert.False(backend.ConvSearch.Benchmark);
    }

    [Fact]
    public void Each_precision_finds_for_itself()
    {
        var api = new EmulatedCudaApi();
        CudaBackend fp32 = EmulatedGpu.Create(api, new ConvAlgorithmSearch());
        RunAllThree(fp32);
        RunAllThree(fp32.Resources.Backend(Precision.Tf32));
        Assert.Equal(6, api.FindCalls); // the key is (shapes, precision): a TF32 algorithm is not an FP32 one
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("1", true)]
    [InlineData("On", true)]
    [InlineData("true", true)]
    [InlineData("0", false)]
    [InlineData("off", false)]
    [InlineData(" FALSE ", false)]
    public void The_environment_variable_turns_benchmarking_on_or_off(string? value, bool expected) =>
        Assert.Equal(expected, ConvAlgorithmSearch.Parse(value));

    [Fact]
    public void A_bad_environment_value_is_refused_naming_the_variable()
    {
        var e = Assert.Throws<InvalidOperationException>(() => ConvAlgorithmSearch.Parse("fast"));
        Assert.Contains("RAWGAN_CUDNN_BENCHMARK=fast", e.Message);
    }
}
