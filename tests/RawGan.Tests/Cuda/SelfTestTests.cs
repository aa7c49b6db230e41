using RawGan.Backends.Cuda;
using RawGan.GpuEmulator;

namespace RawGan.Tests.Cuda;

/// <summary>The start-up check that a device's backend passes before it is used (<see cref="CudaSelfTest"/>).</summary>
[Collection(nameof(EmulatedGpu))]
public class SelfTestTests
{
    [Fact]
    public void A_correct_backend_passes() => CudaSelfTest.Run(EmulatedGpu.Backend);

    [Fact]
    public void A_library_that_computes_wrongly_is_caught_and_named()
    {
        CudaBackend broken = EmulatedGpu.Create(new EmulatedCudaApi { NegateGemm = true });
        var e = Assert.Throws<InvalidOperationException>(() => CudaSelfTest.Run(broken));
        Assert.Contains("GEMM (cuBLAS)", e.Message);
        Assert.Contains("on the CPU", e.Message);
    }
}
