using RawGan.Tensors;

namespace RawGan.Backends;

/// <summary>The backend a <see cref="DeviceSpec"/> resolved to, a one-line notice when "auto" fell back to the CPU
/// (null otherwise), and one when the backend computes at another precision than was asked for in a way users must
/// hear of (bf16 asked of the CPU; null otherwise).</summary>
public readonly record struct DeviceResolution(IBackend Backend, string? Notice, string? PrecisionNotice = null);

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
        DeviceResolution resolved;
        if (spec.Device is { } device) resolved = new DeviceResolution(BackendRegistry.Get(device, precision), null);
        else if (BackendRegistry.TryGet(Device.Cuda(0), precision, out string whyNot) is { } gpu) resolved = new DeviceResolution(gpu, null);
        else resolved = new DeviceResolution(BackendRegistry.Get(Device.Cpu, precision), $"--device auto: no usable CUDA device ({whyNot}); running on the CPU.");
        return resolved with { PrecisionNotice = PrecisionNotice(precision, resolved.Backend) };
    }

    /// <summary>bf16 changes the numbers a run computes, so a backend that cannot honour it says so; TF32 is an
    /// allowance that the CPU ignores silently, as PyTorch's allow_tf32 does.</summary>
    private static string? PrecisionNotice(Precision asked, IBackend backend) =>
        asked == Precision.Bf16 && backend.Precision != Precision.Bf16
            ? $"--precision bf16: {backend.Device} has no faster bf16 arithmetic; computing in fp32."
            : null;

    /// <summary><see cref="Resolve(DeviceSpec, Precision)"/> of the text users type: "cpu", "cuda", "cuda:N" or "auto".</summary>
    public static DeviceResolution Resolve(string spec, Precision precision = Precision.Fp32) => Resolve(DeviceSpec.Parse(spec), precision);
}
