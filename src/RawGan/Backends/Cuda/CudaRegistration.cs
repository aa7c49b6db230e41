using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using RawGan.Tensors;

namespace RawGan.Backends.Cuda;

/// <summary>Registers the CUDA backend with <see cref="BackendRegistry"/> when the assembly loads. Nothing native
/// is touched here: the libraries are searched for, and the device opened, on the first request for a CUDA device
/// (or for <c>rawgan info</c>'s description, <see cref="CudaBackend.Probe"/>).</summary>
internal static class CudaRegistration
{
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "Registration must happen before any Device.Cuda lookup, without a call users could forget.")]
    internal static void Register()
    {
        NativeLibraries.InstallResolver();
        BackendRegistry.Register(DeviceKind.Cuda, Create, () => CudaBackend.Probe().ToString());
    }

    private static IBackend? Create(int index, Precision precision, out string whyNot) => CudaBackend.TryCreate(index, out whyNot, precision);
}
