namespace RawGan.Backends;

/// <summary>
/// The math policy of a backend's float32 GEMMs and convolutions: how far it may round their products for speed.
/// A value a backend is created with and carries (<see cref="IBackend.Precision"/>), never a process-wide switch, so
/// backends of different precisions can live side by side. Storage stays float32 under every policy.
/// </summary>
public enum Precision
{
    /// <summary>Full float32 products: results match the CPU reference to float32 rounding.</summary>
    Fp32,

    /// <summary>TF32 tensor cores where the device has them (10-bit mantissa products, float32 accumulation; about 7×
    /// the FP32 throughput on an H100), as torch.backends.cuda.matmul.allow_tf32 / cudnn.allow_tf32 allow.</summary>
    Tf32,
}
