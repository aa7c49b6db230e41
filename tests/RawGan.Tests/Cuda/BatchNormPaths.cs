using RawGan.Backends.Cuda;

namespace RawGan.Tests.Cuda;

/// <summary>A test body with a CUDA backend's batch norm on one path; the backend is shared by the tests, so its path
/// is put back afterwards, whatever the body does.</summary>
internal static class BatchNormPaths
{
    public static void On(CudaBackend backend, CudaBatchNorm path, Action body)
    {
        CudaBatchNorm before = backend.BatchNormPath;
        backend.BatchNormPath = path;
        try
        {
            body();
        }
        finally
        {
            backend.BatchNormPath = before;
        }
    }
}
