using System.Text;

namespace RawGan.Backends.Cuda;

/// <summary>What <see cref="CudaBackend.Probe"/> found: the GPU, the driver, cuBLAS and cuDNN with their versions
/// and where they were loaded from, the PTX modules, or exactly what failed.</summary>
public sealed record CudaProbeReport(
    bool Usable,
    string? WhyNot,
    string? DriverVersion,
    int DeviceCount,
    DeviceInfo? Device,
    string? CublasVersion,
    string? CudnnVersion,
    IReadOnlyList<NativeLibraryReport> Libraries,
    IReadOnlyList<string> Kernels,
    IReadOnlyList<string> Problems)
{
    public override string ToString()
    {
        var s = new StringBuilder();
        s.AppendLine(Usable ? $"cuda: usable: {Device}" : $"cuda: not usable: {WhyNot}");
        if (DriverVersion is not null) s.AppendLine($"  driver: CUDA {DriverVersion} ({DeviceCount} device{(DeviceCount == 1 ? "" : "s")})");
        if (Device is not null && Device.PeakBandwidthGBs > 0) s.AppendLine($"  memory bandwidth (theoretical): {Device.PeakBandwidthGBs:F0} GB/s");
        if (CublasVersion is not null) s.AppendLine($"  cuBLAS {CublasVersion}");
        if (CudnnVersion is not null) s.AppendLine($"  cuDNN {CudnnVersion}");
        foreach (NativeLibraryReport lib in Libraries)
        {
            s.AppendLine($"  {lib}");
            foreach (string c in lib.Companions) s.AppendLine($"    with {c}");
        }
        foreach (string k in Kernels) s.AppendLine($"  kernels/{k}");
        foreach (string p in Problems) s.AppendLine($"  problem: {p}");
        return s.ToString().TrimEnd();
    }
}

public sealed partial class CudaBackend
{
    /// <summary>
    /// Looks for a usable CUDA device <paramref name="index"/> and reports everything it learns on the way (for
    /// <c>rawgan info</c>): never throws. With <paramref name="loadKernels"/>, JIT-compiles every embedded PTX
    /// module and reports each one's outcome.
    /// </summary>
    public static CudaProbeReport Probe(int index = 0, bool loadKernels = true)
    {
        var problems = new List<string>();
        string? driverVersion = null, cublasVersion = null, cudnnVersion = null, whyNot = null;
        int deviceCount = 0;
        DeviceInfo? info = null;
        IReadOnlyList<string> kernels = [];

        NativeLibraries.InstallResolver();
        if (NativeLibraries.ResolverError is { } resolverError) problems.Add(resolverError);
        NativeLibraryReport[] libs = [NativeLibraries.Driver, NativeLibraries.Cublas, NativeLibraries.Cudnn];

        if (NativeLibraries.DriverHandle != 0)
        {
            Try("driver", () =>
            {
                CudaCheck.Check(Interop.Driver.cuDriverGetVersion(out int v));
                driverVersion = $"{v / 1000}.{v % 1000 / 10}";
                CudaCheck.Check(Interop.Driver.cuInit(0));
                CudaCheck.Check(Interop.Driver.cuDeviceGetCount(out deviceCount));
            });
        }
        if (NativeLibraries.CublasHandle != 0)
        {
            Try("cuBLAS version", () =>
            {
                CudaCheck.CheckCublas(Interop.Cublas.cublasGetProperty(Interop.Cublas.MajorVersion, out int major));
                CudaCheck.CheckCublas(Interop.Cublas.cublasGetProperty(Interop.Cublas.MinorVersion, out int minor));
                CudaCheck.CheckCublas(Interop.Cublas.cublasGetProperty(Interop.Cublas.PatchLevel, out int patch));
                cublasVersion = $"{major}.{minor}.{patch}";
            });
        }
        if (NativeLibraries.CudnnHandle != 0)
        {
            Try("cuDNN version", () =>
            {
                long v = (long)Interop.Cudnn.cudnnGetVersion();
                long rt = (long)Interop.Cudnn.cudnnGetCudartVersion();
                cudnnVersion = $"{v / 10000}.{v % 10000 / 100}.{v % 100} (built for CUDA runtime {rt / 1000}.{rt % 1000 / 10})";
            });
        }

        CudaBackend? backend = TryCreate(index, out string reason);
        if (backend is null) whyNot = reason;
        else
        {
            info = backend.Info;
            if (loadKernels)
                Try("kernels", () => kernels = backend.Kernels.LoadAll());
        }
        return new CudaProbeReport(backend is not null, whyNot, driverVersion, deviceCount, info, cublasVersion, cudnnVersion, libs, kernels, problems);

        void Try(string what, Action action)
        {
            try { action(); }
            catch (Exception e) { problems.Add($"{what}: {e.Message}"); }
        }
    }
}
