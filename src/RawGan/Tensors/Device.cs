namespace RawGan.Tensors;

public enum DeviceKind { Cpu, Cuda }

/// <summary>Where a tensor's storage lives: "cpu", "cuda" or "cuda:N", as PyTorch writes it.</summary>
public readonly record struct Device(DeviceKind Kind, int Index = 0)
{
    public static Device Cpu => new(DeviceKind.Cpu);
    public static Device Cuda(int index = 0) => new(DeviceKind.Cuda, index);

    public static Device Parse(string text)
    {
        string t = text.Trim().ToLowerInvariant();
        if (t == "cpu") return Cpu;
        if (t == "cuda") return Cuda();
        if (t.StartsWith("cuda:") && int.TryParse(t.AsSpan(5), out int i) && i >= 0) return Cuda(i);
        throw new ArgumentException($"Unknown device '{text}': expected cpu, cuda or cuda:N.", nameof(text));
    }

    public override string ToString() => Kind == DeviceKind.Cpu ? "cpu" : $"cuda:{Index}";
}
