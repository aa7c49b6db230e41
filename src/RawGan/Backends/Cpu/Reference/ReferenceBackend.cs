using System.Runtime.InteropServices;
using RawGan.Tensors;

namespace RawGan.Backends.Cpu.Reference;

/// <summary>
/// The CPU reference: every primitive of <see cref="IBackend"/> as the obvious scalar loop over its formula, in the
/// tensor's type (float32 or float64) with every sum accumulated in float64. Each method can be checked against its
/// formula in a minute. Nothing is shared with <see cref="CpuBackend"/>'s fast paths (SIMD maps, packed GEMM, im2col,
/// the vectorised Philox) but the storage type, so the conformance suite compares those fast paths, and the CUDA
/// backend, against independent code. Gradient checks run on it in float64. Slow by design.
/// </summary>
public sealed partial class ReferenceBackend : IBackend
{
    private ReferenceBackend() { }

    public static ReferenceBackend Instance { get; } = new();

    public Device Device => Device.Cpu;

    /// <summary>Float32 and float64 as written: the reference has no reduced-precision path.</summary>
    public Precision Precision => Precision.Fp32;

    public string Name => "cpu reference (naive loops)";

    public Storage Allocate(long length, DType dtype) => new CpuStorage(this, length, dtype);

    public void Upload<T>(ReadOnlySpan<T> source, Storage destination) where T : unmanaged =>
        MemoryMarshal.AsBytes(source).CopyTo(((CpuStorage)destination).ByteSpan);

    public void Download<T>(Storage source, Span<T> destination) where T : unmanaged =>
        ((CpuStorage)source).ByteSpan.CopyTo(MemoryMarshal.AsBytes(destination));

    public void Copy(Tensor source, Tensor destination) => Array.Copy(Data(source), Data(destination), source.Numel);

    public void Copy2D(Tensor source, long sourceOffset, long sourceStride, Tensor destination, long destinationOffset,
                       long destinationStride, long rows, long count)
    {
        for (long i = 0; i < rows; i++)
            Array.Copy(Data(source), sourceOffset + i * sourceStride, Data(destination), destinationOffset + i * destinationStride, count);
    }

    public void Fill(Tensor destination, double value)
    {
        switch (Data(destination))
        {
            case float[] f: for (int i = 0; i < f.Length; i++) f[i] = (float)value; break;
            case double[] d: for (int i = 0; i < d.Length; i++) d[i] = value; break;
            case int[] n: for (int i = 0; i < n.Length; i++) n[i] = (int)value; break;
        }
    }

    private static Array Data(Tensor t) => ((CpuStorage)t.Storage).Data;
    private static T[] F<T>(Tensor t) where T : unmanaged => ((CpuStorage)t.Storage).As<T>();
    private static T[]? Opt<T>(Tensor? t) where T : unmanaged => t is null ? null : F<T>(t);

}
