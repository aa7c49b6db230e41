using RawGan.Tensors;

namespace RawGan.Backends.Cuda;

/// <summary>A block of device memory from the backend's <see cref="CachingAllocator"/>. <see cref="Release"/>
/// (called by <see cref="TensorScope"/>) returns it to the pool at once; an unreleased block goes back when the
/// garbage collector finalises its storage.</summary>
internal sealed class CudaStorage : Storage
{
    private readonly CachingAllocator _allocator;
    private readonly long _blockBytes;
    private ulong _pointer;

    public CudaStorage(CudaBackend backend, long length, DType dtype, ulong pointer, long blockBytes)
        : base(backend, length, dtype)
    {
        _allocator = backend.Allocator;
        _pointer = pointer;
        _blockBytes = blockBytes;
    }

    /// <summary>The device address (CUdeviceptr).</summary>
    public ulong Pointer => _pointer != 0
        ? _pointer
        : throw new ObjectDisposedException(nameof(CudaStorage), "This tensor's storage was released when its TensorScope closed; keep it with TensorScope.Keep or create it outside the scope.");

    public override void Release()
    {
        ulong p = Interlocked.Exchange(ref _pointer, 0);
        if (p == 0) return;
        _allocator.Release(p, _blockBytes);
        GC.SuppressFinalize(this);
    }

    ~CudaStorage() => Release();
}
