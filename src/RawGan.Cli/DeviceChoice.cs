using RawGan.Backends;
using RawGan.Backends.Cuda;
using RawGan.Gan;
using Spectre.Console;

namespace RawGan.Cli;

/// <summary>--device: cpu, cuda, cuda:N, or auto (CUDA when a usable GPU and its libraries are found, else the
/// CPU with a one-line notice).</summary>
internal static class DeviceChoice
{
    public static IBackend Resolve(string device)
    {
        DeviceResolution resolved = Devices.Resolve(device);
        if (resolved.Notice is not null) AnsiConsole.MarkupLine($"[grey]{Markup.Escape(resolved.Notice)}[/]");
        return BackendRegistry.Get(resolved.Device);
    }

    /// <summary>A training run's device, with its TF32 setting applied (process-wide, as PyTorch's flags are).</summary>
    public static IBackend Resolve(GanConfig config)
    {
        IBackend backend = Resolve(config.Device);
        CudaBackend.AllowTf32 = config.Tf32;
        return backend;
    }

    /// <summary>The backend's name, and "TF32" where it will use it.</summary>
    public static string Describe(IBackend backend) => backend is CudaBackend && CudaBackend.AllowTf32 ? $"{backend.Name}, TF32" : backend.Name;
}
