using RawGan.Backends;
using RawGan.Backends.Cuda;

namespace RawGan.Bench;

/// <summary>The CUDA device the GPU benchmarks run on, or one line saying why there is none.</summary>
internal static class CudaDevice
{
    /// <summary>The exit code when no CUDA device is usable: distinct from a failed benchmark (1) and a usage error
    /// (2), so that tools/gpu/run-all.sh can tell a host without a GPU from a broken benchmark.</summary>
    public const int Unavailable = 3;

    /// <summary>cuda:0 at <paramref name="precision"/>, or null after printing the reason <see cref="CudaBackend.Probe"/> would give (no driver,
    /// no device, cuBLAS or cuDNN not found, ...).</summary>
    public static CudaBackend? Open(string bench, Precision precision = Precision.Fp32)
    {
        CudaBackend? backend = CudaBackend.TryCreate(0, out string whyNot, precision);
        if (backend is null) Console.Error.WriteLine($"{bench}: no usable CUDA device: {whyNot}");
        return backend;
    }
}
