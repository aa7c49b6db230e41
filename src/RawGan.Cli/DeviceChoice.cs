using RawGan.Backends;
using RawGan.Tensors;
using Spectre.Console;

namespace RawGan.Cli;

/// <summary>--device: cpu, cuda, cuda:N, or auto (CUDA when a usable GPU and its libraries are found, else the
/// CPU with a one-line notice).</summary>
internal static class DeviceChoice
{
    public static IBackend Resolve(string device)
    {
        if (device.Trim().ToLowerInvariant() != "auto") return BackendRegistry.Get(Device.Parse(device));
        try
        {
            return BackendRegistry.Get(Device.Cuda());
        }
        catch (Exception e) when (e is InvalidOperationException or DllNotFoundException)
        {
            AnsiConsole.MarkupLine($"[grey]--device auto: no usable CUDA device ({Markup.Escape(e.Message)}); training on the CPU.[/]");
            return BackendRegistry.Get(Device.Cpu);
        }
    }
}
