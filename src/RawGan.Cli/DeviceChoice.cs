using RawGan.Backends;
using RawGan.Backends.Cuda;
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
}
