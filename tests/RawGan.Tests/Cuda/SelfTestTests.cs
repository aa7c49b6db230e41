using RawGan.Backends;
using RawGan.Backends.Cuda;
using RawGan.GpuEmulator;

namespace RawGan.Tests.Cuda;

/// <summary>The start-up check that a device's backend passes before it is used (<see cref="CudaSelfTest"/>).</summary>
[Collection(nameof(EmulatedGpu))]
public class SelfTestTests
{
    [Theory]
    [InlineData(Precision.Fp32)]
    [InlineData(Precision.Tf32)]
    [InlineData(Precision.Bf16)]
    public void A_correct_backend_passes(Precision precision) => CudaSelfTest.Run(EmulatedGpu.Backend.Resources.Backend(precision));

    [Theory]
    [InlineData(Precision.Fp32)]
    [InlineData(Precision.Bf16)] // cublasGemmEx rather than cublasSgemm
    public void A_library_that_computes_wrongly_is_caught_and_named(Precision precision)
    {
        CudaBackend broken = EmulatedGpu.Create(new EmulatedCudaApi { NegateGemm = true }).Resources.Backend(precision);
        var e = Assert.Throws<InvalidOperationException>(() => CudaSelfTest.Run(broken));
        Assert.Contains("GEMM (cuBLAS)", e.Message);
        Assert.Contains("on the CPU", e.Message);
    }
}
