using RawGan.Backends;
using RawGan.Gan;
using Spectre.Console;

namespace RawGan.Cli;

/// <summary>--device: cpu, cuda, cuda:N, or auto (CUDA when a usable GPU and its libraries are found, else the
/// CPU with a one-line notice); --precision (or the older --tf32): the backend's <see cref="Precision"/>.</summary>
internal static class DeviceChoice
{
    public static IBackend Resolve(string device, Precision precision = Precision.Fp32)
    {
        DeviceResolution resolved = Devices.Resolve(device, precision);
        // The reason (which library is missing, where it was looked for) runs to three lines on a terminal, on
        // every command: one line says what happened, and `rawgan info` says why.
        if (resolved.Notice is not null) AnsiConsole.MarkupLine($"[grey]{Markup.Escape(AutoFellBack)}[/]");
        if (resolved.PrecisionNotice is not null) AnsiConsole.MarkupLine($"[grey]{Markup.Escape(resolved.PrecisionNotice)}[/]");
        return resolved.Backend;
    }

    /// <summary>What "auto" says when it runs on the CPU: one line, within 80 columns.</summary>
    internal const string AutoFellBack = "--device auto: using the CPU, no usable CUDA device (rawgan info says why).";

    /// <summary>A training run's backend: its device at the precision its config asks for. --channels-last on a
    /// device that computes in NCHW (the CPU) is accepted and says so: the run is the same with it or without, and
    /// a channels-last run from a GPU resumes there.</summary>
    public static IBackend Resolve(GanConfig config)
    {
        IBackend backend = Resolve(config.Device, PrecisionOf(config));
        if (config.ChannelsLast && !GanTrainer.UsesChannelsLast(config, backend))
            AnsiConsole.MarkupLine($"[grey]{Markup.Escape($"--channels-last: {backend.Device} computes convolutions in NCHW; no effect here.")}[/]");
        return backend;
    }

    /// <summary>The config's precision: its "precision" key, else its older "tf32" key (kept for the config files and
    /// flags users have; <see cref="GanConfig.Validate"/> refuses the two disagreeing).</summary>
    public static Precision PrecisionOf(GanConfig config) => config.Precision ?? (config.Tf32 ? Precision.Tf32 : Precision.Fp32);

    /// <summary>The backend's name, and its precision where that is not plain FP32.</summary>
    public static string Describe(IBackend backend) => backend.Precision == Precision.Fp32 ? backend.Name : $"{backend.Name}, {backend.Precision.ToString().ToUpperInvariant()}";
}
