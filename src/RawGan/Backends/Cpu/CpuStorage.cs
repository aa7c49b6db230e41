using System.Runtime.InteropServices;
using RawGan.Tensors;

namespace RawGan.Backends.Cpu;

/// <summary>A managed array (float[], double[] or int[]) of exactly <see cref="Storage.Length"/> elements.</summary>
internal sealed class CpuStorage(IBackend backend, long length, DType dtype) : Storage(backend, length, dtype)
{
    private Array? _data = CpuArrayPool.Rent(dtype, length);

    public Array Data => _data ?? throw new ObjectDisposedException(nameof(CpuStorage), "This tensor's storage was released when its TensorScope closed; keep it with TensorScope.Keep or create it outside the scope.");

    public T[] As<T>() where T : unmanaged => Data as T[]
        ?? throw new InvalidOperationException($"A {DType.Name()} storage cannot be read as {typeof(T).Name}.");

    /// <summary>The elements' bytes, for uploads and downloads (the same for every backend that keeps managed arrays).</summary>
    public Span<byte> ByteSpan => Data switch
    {
        float[] f => MemoryMarshal.AsBytes(f.AsSpan()),
        double[] d => MemoryMarshal.AsBytes(d.AsSpan()),
        int[] i => MemoryMarshal.AsBytes(i.AsSpan()),
        _ => throw new InvalidOperationException($"A CPU storage holds float, double or int elements, not {Data.GetType().Name}."),
    };

    // The array goes back to the pool for the next step; dropping the reference makes use after release fail loudly.
    public override void Release()
    {
        Array? data = Interlocked.Exchange(ref _data, null);
        if (data is not null) CpuArrayPool.Return(DType, data);
    }
}
