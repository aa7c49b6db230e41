using RawGan.Backends;
using RawGan.Backends.Cpu;
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
        Assert.Equal(new DeviceResolution(CpuBackend.Default, null), Devices.Resolve("cpu"));
        Assert.Equal(new DeviceResolution(CpuBackend.Default, null), Devices.Resolve("cpu", Precision.Tf32));
        DeviceResolution auto = Devices.Resolve("auto", Precision.Tf32);
        CudaBackend? cuda = CudaBackend.TryCreate(0, out string whyNot);
        if (cuda is null)
        {
            Assert.Same(CpuBackend.Default, auto.Backend);
            Assert.Contains(whyNot, auto.Notice);
            var e = Assert.Throws<InvalidOperationException>(() => Devices.Resolve("cuda"));
            Assert.Contains(whyNot, e.Message);
            Assert.Throws<InvalidOperationException>(() => Devices.Resolve("cuda:3"));
        }
        else
        {
            Assert.Equal(new DeviceResolution(CudaBackend.Get(0, Precision.Tf32), null), auto);
            Assert.Equal(Precision.Tf32, auto.Backend.Precision);
            Assert.Same(cuda, Devices.Resolve("CUDA:0").Backend);
        }
    }

    [Fact]
    public void A_device_spec_is_cpu_cuda_cuda_N_or_auto_and_the_error_lists_them_all()
    {
        Assert.Equal(DeviceSpec.Exactly(Device.Cpu), DeviceSpec.Parse(" CPU "));
        Assert.Equal(DeviceSpec.Exactly(Device.Cuda(0)), DeviceSpec.Parse("cuda"));
        Assert.Equal(DeviceSpec.Exactly(Device.Cuda(2)), DeviceSpec.Parse("cuda:2"));
        Assert.True(DeviceSpec.Parse("Auto").IsAuto);
        Assert.Equal("auto", DeviceSpec.Auto.ToString());
        Assert.Equal("cuda:2", DeviceSpec.Parse("cuda:2").ToString());
        foreach (string bad in new[] { "gpu", "cuda:-1", "cuda:x", "" })
        {
            var e = Assert.Throws<ArgumentException>(() => DeviceSpec.Parse(bad));
            Assert.Contains("cpu, cuda, cuda:N or auto", e.Message);
        }
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
        {
            Assert.Same(cuda, RawGan.Backends.BackendRegistry.Get(Device.Cuda(0)));
            Assert.Same(CudaBackend.Get(0, Precision.Tf32), RawGan.Backends.BackendRegistry.Get(Device.Cuda(0), Precision.Tf32));
        }
        else
        {
            var e = Assert.Throws<InvalidOperationException>(() => RawGan.Backends.BackendRegistry.Get(Device.Cuda(0)));
            Assert.Contains(whyNot, e.Message);
        }
    }
}
