using System.Runtime.InteropServices;

namespace RawGan.Cli;

/// <summary>
/// Turns Ctrl+C (SIGINT), SIGTERM (kill, timeout, docker stop, systemd, batch schedulers) and SIGHUP (a closed
/// terminal) into a cancellation, so a run writes its checkpoint before it exits; a second signal exits at once.
/// </summary>
internal sealed class SignalHandler : IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();
    private readonly PosixSignalRegistration[] _registrations;
    private PosixSignal? _received;

    public SignalHandler() =>
        _registrations = [.. new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP }.Select(s => PosixSignalRegistration.Create(s, OnSignal))];

    /// <summary>Cancelled at the first signal.</summary>
    public CancellationToken Token => _cancellation.Token;

    /// <summary>The exit code of the signal that stopped the run (<see cref="ExitCodes.Interrupted"/>); 130 when
    /// the run stopped without one.</summary>
    public int ExitCode => ExitCodes.Interrupted(_received ?? PosixSignal.SIGINT);

    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations) registration.Dispose();
        _cancellation.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // the default would end the process before the checkpoint is written
        if (_received is not null) Environment.Exit(ExitCode);
        _received = context.Signal;
        _cancellation.Cancel();
    }
}
