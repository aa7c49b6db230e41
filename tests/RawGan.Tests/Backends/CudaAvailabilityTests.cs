using RawGan.Backends.Cuda;
using RawGan.Tensors;

namespace RawGan.Tests.Backends;

/// <summary>Without a usable device everything says why instead of failing; with one, it is found. Passes on
/// either kind of machine.</summary>
public sealed class CudaAvailabilityTests
{
    [Fact]
    public void Device_resolution_falls_back_to_the_cpu_with_a_notice_only_for_auto()
    {
        Assert.Equal(new DeviceResolution(Device.Cpu, null), Devices.Resolve("cpu"));
        DeviceResolution auto = Devices.Resolve("auto");
        CudaBackend? cuda = CudaBackend.TryCreate(0, out string whyNot);
        if (cuda is null)
        {
            Assert.Equal(Device.Cpu, auto.Device);
            Assert.Contains(whyNot, auto.Notice);
            var e = Assert.Throws<InvalidOperationException>(() => Devices.Resolve("cuda"));
            Assert.Contains(whyNot, e.Message);
            Assert.Throws<InvalidOperationException>(() => Devices.Resolve("cuda:3"));
        }
        else
        {
            Assert.Equal(new DeviceResolution(Device.Cuda(0), null), auto);
            Assert.Equal(Device.Cuda(0), Devices.Resolve("CUDA:0").Device);
        }
        Assert.Throws<ArgumentException>(() => Devices.Resolve("gpu"));
    }

    [Fact]
    public void Probe_reports_what_it_found_or_tried_and_never_throws()
    {
        CudaProbeReport report = CudaBackend.Probe(loadKernels: false);
        string text = report.ToString();
        Assert.Contains("libcuda", text);
        Assert.Equal(3, report.Libraries.Count);
        if (!report.Usable)
        {
            Assert.False(string.IsNullOrWhiteSpace(report.WhyNot));
            Assert.Contains("not usable", text);
        }
        else Assert.NotNull(report.Device);
    }

    [Fact]
    public void The_registry_resolves_cuda_through_the_backend()
    {
        if (CudaBackend.TryCreate(0, out string whyNot) is { } cuda)
            Assert.Same(cuda, RawGan.Backends.BackendRegistry.Get(Device.Cuda(0)));
        else
        {
            var e = Assert.Throws<InvalidOperationException>(() => RawGan.Backends.BackendRegistry.Get(Device.Cuda(0)));
            Assert.Contains(whyNot, e.Message);
        }
    }
}
