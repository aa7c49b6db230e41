using System.Text.Json.Serialization;

namespace RawGan.Backends;

/// <summary>How an inference-only generator stores its transposed convolutions' weights (activations stay float32):
/// <c>--quantize int8|bf16</c> of `rawgan sample`, `serve` and `eval`.</summary>
public enum Quantization
{
    /// <summary>float32 weights.</summary>
    [JsonStringEnumMemberName("none")] None,
    /// <summary>Symmetric int8 per output channel: w ≈ scale[o]·q, scale[o] = max|w[·, o]| / 127.</summary>
    [JsonStringEnumMemberName("int8")] Int8,
    /// <summary>bfloat16 (float32's top 16 bits, rounded to nearest even).</summary>
    [JsonStringEnumMemberName("bf16")] Bf16,
}
