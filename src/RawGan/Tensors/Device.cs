namespace RawGan.Tensors;

public enum DeviceKind { Cpu, Cuda }

/// <summary>Where a tensor's storage lives: "cpu", "cuda" or "cuda:N", as PyTorch writes it.</summary>
public readonly record struct Device(DeviceKind Kind, int Index = 0)
{
    public static Device Cpu => new(DeviceKind.Cpu);
    public static Device Cuda(int index = 0) => new(DeviceKind.Cuda, index);

    public static Device Parse(string text) => TryParse(text, out Device device)
        ? device
        : throw new ArgumentException($"Unknown device '{text}': expected cpu, cuda or cuda:N.", nameof(text));

    /// <summary>"cpu", "cuda" or "cuda:N" (any case, surrounding spaces ignored).</summary>
    public static bool TryParse(string text, out Device device)
    {
        string t = text.Trim().ToLowerInvariant();
        device = Cpu;
        if (t == "cpu") return true;
        if (t == "cuda") { device = Cuda(); return true; }
        if (t.StartsWith("cuda:") && int.TryParse(t.AsSpan(5), out int i) && i >= 0) { device = Cuda(i); return true; }
        return false;
    }

    public override string ToString() => Kind == DeviceKind.Cpu ? "cpu" : $"cuda:{Index}";
}
