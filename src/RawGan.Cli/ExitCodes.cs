using System.Runtime.InteropServices;

namespace RawGan.Cli;

/// <summary>What `rawgan`'s exit status means, the same for every command (the README lists it).</summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Done = 0;
    /// <summary>A usage error or bad input: an option, a config file, the data, a checkpoint.</summary>
    public const int BadInput = 2;
    /// <summary>Training stopped because a loss became NaN or infinite.</summary>
    public const int Diverged = 3;
    /// <summary>The device failed: out of memory, a CUDA call that returned an error.</summary>
    public const int DeviceFailure = 4;

    /// <summary>Stopped by a signal, after writing a checkpoint: 128 + the signal's number, as shells report it
    /// (130 for SIGINT / Ctrl+C, 143 for SIGTERM, 129 for SIGHUP).</summary>
    public static int Interrupted(PosixSignal signal) => 128 + signal switch
    {
        PosixSignal.SIGHUP => 1,
        PosixSignal.SIGTERM => 15,
        _ => 2,
    };
}
