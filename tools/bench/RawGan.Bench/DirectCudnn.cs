using RawGan.Backends.Cuda;
using static RawGan.Backends.Cuda.CudaCheck;

namespace RawGan.Bench;

/// <summary>A cuDNN handle of the benchmarks' own on the backend's stream, so a library call timed directly is
/// queued and timed exactly as the backend's own calls are.</summary>
internal sealed class DirectCudnn : IDisposable
{
    public DirectCudnn(CudaBackend backend)
    {
        backend.MakeCurrent();
        CheckCudnn(Interop.Cudnn.cudnnCreate(out nint handle));
        Handle = handle;
        try
        {
            CheckCudnn(Interop.Cudnn.cudnnSetStream(handle, backend.Stream));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public nint Handle { get; }

    public void Dispose() => Interop.Cudnn.cudnnDestroy(Handle);
}
