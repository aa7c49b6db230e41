using RawGan.Backends.Cpu;
using RawGan.Tensors;

namespace RawGan.Backends;

/// <summary>Maps a <see cref="Device"/> to its backend. The CUDA backend registers itself when it loads.</summary>
public static class BackendRegistry
{
    private static Func<int, IBackend>? _cuda;

    public static void RegisterCuda(Func<int, IBackend> factory) => _cuda = factory;

    public static IBackend Get(Device device) => device.Kind switch
    {
        DeviceKind.Cpu => CpuBackend.Default,
        DeviceKind.Cuda => _cuda?.Invoke(device.Index)
            ?? throw new InvalidOperationException($"Device {device} was asked for, but no CUDA backend is available (run `rawgan info` to see why)."),
        _ => throw new ArgumentOutOfRangeException(nameof(device)),
    };
}
