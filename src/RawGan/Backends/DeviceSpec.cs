using RawGan.Tensors;

namespace RawGan.Backends;

/// <summary>A device as users write it: "cpu", "cuda", "cuda:N", or "auto" (cuda:0 when a usable GPU and its
/// libraries are found, else the CPU). <see cref="Devices.Resolve(DeviceSpec, Precision)"/> turns it into a backend.</summary>
public readonly record struct DeviceSpec
{
    private DeviceSpec(Device? device) => Device = device;

    /// <summary>"auto".</summary>
    public static DeviceSpec Auto => new(null);

    /// <summary>Exactly <paramref name="device"/>: it must be usable.</summary>
    public static DeviceSpec Exactly(Device device) => new(device);

    /// <summary>The device asked for; null for "auto".</summary>
    public Device? Device { get; }

    public bool IsAuto => Device is null;

    /// <summary>Parses "cpu", "cuda", "cuda:N" or "auto" (any case, surrounding spaces ignored).</summary>
    public static DeviceSpec Parse(string text)
    {
        if (text.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase)) return Auto;
        return Tensors.Device.TryParse(text, out Device device)
            ? new DeviceSpec(device)
            : throw new ArgumentException($"Unknown device '{text}': expected cpu, cuda, cuda:N or auto.", nameof(text));
    }

    public override string ToString() => Device?.ToString() ?? "auto";
}
