using System.CommandLine;
using RawGan.Backends;
using RawGan.Gan;
using RawGan.Tensors;

namespace RawGan.Cli;

/// <summary>--quantize of sample, serve and eval: the transposed convolutions' weights held as int8 or bf16 on the
/// CPU, activations float32 (<see cref="Quantization"/>). Opt-in, and checked before any model is loaded.</summary>
internal static class QuantizeChoice
{
    public static Option<string?> Create() => new("--quantize")
    {
        Description = "int8 or bf16: hold the transposed convolutions' weights quantised, activations float32 (CPU only; default none)",
    };

    /// <summary>The quantisation asked for; a one-line error for an unknown value or a device other than the CPU.</summary>
    public static Quantization Resolve(string? text, IBackend backend)
    {
        if (text is null) return Quantization.None;
        Quantization q = OptionNames.Parse<Quantization>("--quantize", text);
        if (q != Quantization.None && backend.Device.Kind != DeviceKind.Cpu)
            throw new ArgumentException($"--quantize {text} runs on the CPU only, not on {backend.Name}: add --device cpu.");
        return q;
    }
}
