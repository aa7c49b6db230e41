using System.Runtime.InteropServices;
using RawGan.Tensors;

namespace RawGan.Backends.Cpu;

/// <summary>
/// The CPU backend's fast paths: SIMD elementwise maps, packed SIMD GEMM, im2col convolutions, vectorised Philox,
/// fused loops. The conformance suite tests each against <see cref="Reference.ReferenceBackend"/>, the obvious loops.
/// </summary>
public sealed partial class CpuBackend : IBackend
{
    private CpuBackend() { }

    public static CpuBackend Default { get; } = new();

    public Device Device => Device.Cpu;

    /// <summary>Always <see cref="Backends.Precision.Fp32"/>: the CPU has no reduced-precision GEMM, so a TF32 or bf16
    /// request computes (and reports) full float32. TF32 is a GPU tensor-core format. A bf16 GEMM could only be faster
    /// here with the AVX-512 BF16 dot-product instructions (VDPBF16PS), which .NET 10 does not expose (there is no
    /// Avx512Bf16 intrinsics class), and rounding operands to bf16 in software only adds work to the float32 GEMM;
    /// so bf16 runs as fp32, with a notice (<see cref="Devices.Resolve(DeviceSpec, Precision)"/>).</summary>
    public Precision Precision => Precision.Fp32;

    public string Name => $"cpu ({(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "AVX-512" : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "AVX2" : "scalar")}, {CpuParallel.Threads} threads)";

    public Storage Allocate(long length, DType dtype) => new CpuStorage(this, length, dtype);

    public void Upload<T>(ReadOnlySpan<T> source, Storage destination) where T : unmanaged =>
        MemoryMarshal.AsBytes(source).CopyTo(((CpuStorage)destination).ByteSpan);

    public void Download<T>(Storage source, Span<T> destination) where T : unmanaged =>
        ((CpuStorage)source).ByteSpan.CopyTo(MemoryMarshal.AsBytes(destination));

    public void Copy(Tensor source, Tensor destination) => Array.Copy(Data(source), Data(destination), source.Numel);

    private static Array Data(Tensor t) => ((CpuStorage)t.Storage).Data;
    private static T[] F<T>(Tensor t) where T : unmanaged => ((CpuStorage)t.Storage).As<T>();

}
