using RawGan.Tensors;

namespace RawGan.Backends;

/// <summary>A flat buffer of <see cref="Length"/> elements owned by one backend. Tensors view it with a shape.</summary>
public abstract class Storage
{
    protected Storage(IBackend backend, long length, DType dtype)
    {
        Backend = backend;
        Length = length;
        DType = dtype;
    }

    public IBackend Backend { get; }
    public long Length { get; }
    public DType DType { get; }
    public long Bytes => Length * DType.SizeInBytes();

    /// <summary>Bumped by every in-place op the autograd records (F.Relu_, F.LeakyRelu_): a node checks at backward
    /// time that the values it was recorded with were not overwritten since, as PyTorch's version counters do.</summary>
    internal int Version { get; set; }

    /// <summary>Returns the memory to its backend's pool now instead of when the garbage collector gets to it.
    /// Called by <see cref="Tensors.TensorScope"/> for a step's intermediates.</summary>
    public abstract void Release();
}
