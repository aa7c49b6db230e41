using RawGan.Tensors;

namespace RawGan.Backends;

/// <summary>Makes the backend of device <paramref name="index"/> at <paramref name="precision"/>, or returns null
/// with the reason (no driver, no such device, a library missing, ...).</summary>
public delegate IBackend? BackendFactory(int index, Precision precision, out string whyNot);

/// <summary>
/// Maps a <see cref="Device"/> (and a <see cref="Precision"/>) to its backend. Each device backend registers itself
/// from a module initializer (<c>CpuRegistration</c>, <c>CudaRegistration</c>), so this contract never names the
/// backends that implement it.
/// </summary>
public static class BackendRegistry
{
    private static readonly (BackendFactory Create, Func<string> Describe)?[] Kinds = new (BackendFactory, Func<string>)?[Enum.GetValues<DeviceKind>().Length];

    /// <summary>Registers the backend of one kind of device, with <paramref name="describe"/> saying what it found on
    /// this machine (for <c>rawgan info</c>; it must not throw).</summary>
    public static void Register(DeviceKind kind, BackendFactory create, Func<string> describe) => Kinds[(int)kind] = (create, describe);

    /// <summary>The backend for <paramref name="device"/> at <paramref name="precision"/>, or null with the reason.</summary>
    public static IBackend? TryGet(Device device, Precision precision, out string whyNot)
    {
        if (Kinds[(int)device.Kind] is not { } kind)
        {
            whyNot = $"no {device.Kind} backend is registered";
            return null;
        }
        return kind.Create(device.Index, precision, out whyNot);
    }

    /// <summary>The backend for <paramref name="device"/> at <paramref name="precision"/>, or an
    /// <see cref="InvalidOperationException"/> that says why there is none.</summary>
    public static IBackend Get(Device device, Precision precision = Precision.Fp32) =>
        TryGet(device, precision, out string whyNot) ?? throw new InvalidOperationException($"Device {device} is not available: {whyNot}");

    /// <summary>What each registered kind of device found on this machine, one block per kind.</summary>
    public static IEnumerable<string> Describe() => Kinds.OfType<(BackendFactory Create, Func<string> Describe)>().Select(k => k.Describe());
}
