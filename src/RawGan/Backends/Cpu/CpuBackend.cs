using System.Runtime.InteropServices;
using RawGan.Tensors;

namespace RawGan.Backends.Cpu;

/// <summary>
/// The CPU backend. <see cref="Reference"/> runs every primitive as the obvious loops (float32 or float64): what
/// gradient checks trust. <see cref="Default"/> is the same code with SIMD GEMM and im2col convolutions for float32,
/// tested against the reference.
/// </summary>
public sealed partial class CpuBackend : IBackend
{
    private readonly bool _reference;

    private CpuBackend(bool reference) => _reference = reference;

    public static CpuBackend Default { get; } = new(reference: false);
    public static CpuBackend Reference { get; } = new(reference: true);

    public Device Device => Device.Cpu;

    /// <summary>Always <see cref="Backends.Precision.Fp32"/>: the CPU has no reduced-precision GEMM, so a TF32 request
    /// computes (and reports) full float32.</summary>
    public Precision Precision => Precision.Fp32;

    public string Name => _reference
        ? "cpu reference (naive loops)"
        : $"cpu ({(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "AVX-512" : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "AVX2" : "scalar")}, {CpuParallel.Threads} threads)";

    public Storage Allocate(long length, DType dtype) => new CpuStorage(this, length, dtype);

    public void Upload<T>(ReadOnlySpan<T> source, Storage destination) where T : unmanaged =>
        MemoryMarshal.AsBytes(source).CopyTo(Bytes(destination));

    public void Download<T>(Storage source, Span<T> destination) where T : unmanaged =>
        Bytes(source).CopyTo(MemoryMarshal.AsBytes(destination));

    public void Copy(Tensor source, Tensor destination) => Array.Copy(Data(source), Data(destination), source.Numel);

    private static Array Data(Tensor t) => ((CpuStorage)t.Storage).Data;
    private static T[] F<T>(Tensor t) where T : unmanaged => ((CpuStorage)t.Storage).As<T>();

    private static Span<byte> Bytes(Storage s) => ((CpuStorage)s).Data switch
    {
        float[] f => MemoryMarshal.AsBytes(f.AsSpan()),
        double[] d => MemoryMarshal.AsBytes(d.AsSpan()),
        int[] i => MemoryMarshal.AsBytes(i.AsSpan()),
        _ => throw new InvalidOperationException(),
    };
}
