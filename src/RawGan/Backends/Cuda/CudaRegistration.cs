using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace RawGan.Backends.Cuda;

/// <summary>Registers the CUDA backend with <see cref="BackendRegistry"/> when the assembly loads. Nothing native
/// is touched here: the libraries are searched for, and the device opened, on the first request for a CUDA device.</summary>
internal static class CudaRegistration
{
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "Registration must happen before any Device.Cuda lookup, without a call users could forget.")]
    internal static void Register()
    {
        NativeLibraries.InstallResolver();
        BackendRegistry.RegisterCuda(CudaBackend.Get);
    }
}
