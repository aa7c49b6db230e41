using RawGan.Tensors;

namespace RawGan.Backends.Cpu;

/// <summary>A managed array (float[], double[] or int[]) of exactly <see cref="Storage.Length"/> elements.</summary>
internal sealed class CpuStorage(IBackend backend, long length, DType dtype) : Storage(backend, length, dtype)
{
    private Array? _data = dtype switch
    {
        DType.Float32 => new float[length],
        DType.Float64 => new double[length],
        DType.Int32 => new int[length],
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    public Array Data => _data ?? throw new ObjectDisposedException(nameof(CpuStorage), "This tensor's storage was released when its TensorScope closed; keep it with TensorScope.Keep or create it outside the scope.");

    public T[] As<T>() where T : unmanaged => Data as T[]
        ?? throw new InvalidOperationException($"A {DType.Name()} storage cannot be read as {typeof(T).Name}.");

    // The CPU has no pool to return to: dropping the reference lets the GC reclaim it, and makes reuse fail loudly.
    public override void Release() => _data = null;
}
