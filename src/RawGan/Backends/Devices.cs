using RawGan.Tensors;

namespace RawGan.Backends;

/// <summary>The backend a <see cref="DeviceSpec"/> resolved to, and a one-line notice when "auto" fell back to the
/// CPU (null otherwise).</summary>
public readonly record struct DeviceResolution(IBackend Backend, string? Notice);

/// <summary>Turns what users ask for (a device and a math policy) into the backend that runs it: the one place
/// where "auto" is decided.</summary>
public static class Devices
{
    /// <summary>
    /// "auto" is cuda:0 when a usable GPU and its libraries are found, else the CPU with a notice saying why.
    /// "cuda" / "cuda:N" must be usable (an <see cref="InvalidOperationException"/> says why not); "cpu" is the CPU.
    /// The backend carries <paramref name="precision"/> where its device has it (see <see cref="IBackend.Precision"/>).
    /// </summary>
    public static DeviceResolution Resolve(DeviceSpec spec, Precision precision = Precision.Fp32)
    {
        if (spec.Device is { } device) return new DeviceResolution(BackendRegistry.Get(device, precision), null);
        return BackendRegistry.TryGet(Device.Cuda(0), precision, out string whyNot) is { } gpu
            ? new DeviceResolution(gpu, null)
            : new DeviceResolution(BackendRegistry.Get(Device.Cpu, precision), $"--device auto: no usable CUDA device ({whyNot}); running on the CPU.");
    }

    /// <summary><see cref="Resolve(DeviceSpec, Precision)"/> of the text users type: "cpu", "cuda", "cuda:N" or "auto".</summary>
    public static DeviceResolution Resolve(string spec, Precision precision = Precision.Fp32) => Resolve(DeviceSpec.Parse(spec), precision);
}
