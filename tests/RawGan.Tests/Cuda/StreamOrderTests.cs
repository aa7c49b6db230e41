using RawGan.GpuEmulator;
using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Tests.Cuda;

/// <summary>The emulated stream is asynchronous, as a GPU's: work runs when the host waits for it, so what the host
/// does before waiting (refilling a staging buffer, reading a result) is checked as a GPU would expose it (the
/// conformance suite's staging test relies on this).</summary>
[Collection(nameof(EmulatedGpu))]
public class StreamOrderTests
{
    [Fact]
    public void Queued_work_runs_only_when_the_host_waits_for_it()
    {
        Tensor x = Tensor.FromArray(new float[] { 1, 2, 3 }, new Shape(3)).To(EmulatedGpu.Backend);
        Tensor y = F.Mul(x, x);
        Assert.True(EmulatedGpu.Api.PendingWork > 0, "the upload and the kernel are still queued");

        Assert.Equal([1f, 4f, 9f], y.ToFloatArray());
        Assert.Equal(0, EmulatedGpu.Api.PendingWork);
    }
}
