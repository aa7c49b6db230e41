using RawGan.Tensors;

namespace RawGan.Backends.Cuda;

/// <summary>The outcome of resolving a --device value: the device, and a one-line notice when "auto" fell back to
/// the CPU (null otherwise).</summary>
public readonly record struct DeviceResolution(Device Device, string? Notice);

/// <summary>Resolves the device names users type: "cpu", "cuda", "cuda:N" and "auto".</summary>
public static class Devices
{
    /// <summary>
    /// "auto" is cuda:0 when a usable GPU and its libraries are found, else the CPU with a notice saying why.
    /// "cuda" / "cuda:N" must be usable (an <see cref="InvalidOperationException"/> says why not); "cpu" is the CPU.
    /// </summary>
    public static DeviceResolution Resolve(string text)
    {
        string t = text.Trim().ToLowerInvariant();
        if (t == "auto")
        {
            return CudaBackend.TryCreate(0, out string whyNot) is not null
                ? new DeviceResolution(Device.Cuda(0), null)
                : new DeviceResolution(Device.Cpu, $"--device auto: no usable CUDA device ({whyNot}); running on the CPU.");
        }
        Device device = Device.Parse(t);
        if (device.Kind == DeviceKind.Cuda) CudaBackend.Get(device.Index);
        return new DeviceResolution(device, null);
    }
}
