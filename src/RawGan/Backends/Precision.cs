using System.Text.Json.Serialization;

namespace RawGan.Backends;

/// <summary>
/// The math policy of a backend's float32 GEMMs and convolutions: how far it may round their operands for speed.
/// A value a backend is created with and carries (<see cref="IBackend.Precision"/>), never a process-wide switch, so
/// backends of different precisions can live side by side. Storage stays float32 under every policy: weights, Adam's
/// moments, batch-norm statistics, activations between layers and losses are float32 (autocast's master-weight
/// scheme), and only the operands of the products are rounded. The names are those of --precision.
/// </summary>
public enum Precision
{
    /// <summary>Full float32 products: results match the CPU reference to float32 rounding.</summary>
    [JsonStringEnumMemberName("fp32")] Fp32,

    /// <summary>TF32 tensor cores where the device has them (10-bit mantissa products, float32 accumulation; about 7×
    /// the FP32 throughput on an H100), as torch.backends.cuda.matmul.allow_tf32 / cudnn.allow_tf32 allow.</summary>
    [JsonStringEnumMemberName("tf32")] Tf32,

    /// <summary>
    /// bfloat16 tensor cores where the device has them: GEMM and convolution operands rounded to bfloat16 (8-bit
    /// significand, round to nearest even), products accumulated in float32, as torch.autocast(dtype=bfloat16) runs
    /// them. A convolution's result is rounded to bfloat16 too (cuDNN's bfloat16 configuration keeps output and
    /// inputs in one type, as autocast's bfloat16 convolution outputs are); a GEMM's stays float32.
    /// No loss scaling: bfloat16 keeps float32's 8-bit exponent (normal numbers down to 1.2e-38), so gradients
    /// that float32 can hold do not underflow, unlike float16's 5-bit exponent (normal down to 6.1e-5), which is
    /// why float16 training needs a GradScaler and bfloat16 training does not.
    /// </summary>
    [JsonStringEnumMemberName("bf16")] Bf16,
}
