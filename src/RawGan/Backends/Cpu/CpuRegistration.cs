using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using RawGan.Tensors;

namespace RawGan.Backends.Cpu;

/// <summary>Registers the CPU backend with <see cref="BackendRegistry"/> when the assembly loads, as the CUDA
/// backend does, so the registry depends on no backend. Every precision gets <see cref="CpuBackend.Default"/>.</summary>
internal static class CpuRegistration
{
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "Registration must happen before any Device.Cpu lookup, without a call users could forget.")]
    internal static void Register() => BackendRegistry.Register(DeviceKind.Cpu, Create, () => $"cpu: {CpuBackend.Default.Name}");

    private static IBackend? Create(int index, Precision precision, out string whyNot)
    {
        whyNot = "";
        return CpuBackend.Default;
    }
}
