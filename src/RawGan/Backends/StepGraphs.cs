using RawGan.Tensors;

namespace RawGan.Backends;

/// <summary>
/// A backend that can record the work of one training step once and replay it with a single launch (CUDA graphs:
/// the host's cost of queuing a few hundred kernels is paid once, not every step). Implemented by the CUDA backend;
/// the trainer decides when a step is steady enough to capture (<c>Gan.StepGraphRunner</c>).
/// </summary>
public interface IStepGraphs
{
    /// <summary>
    /// Runs <paramref name="step"/> with the device's stream capturing, so its work is recorded, not done, and returns
    /// the graph, which has not run yet: its first <see cref="ICapturedStep.Launch"/> is this step. Random fills from
    /// <paramref name="generators"/> and Adam's bias corrections become graph inputs, so each replay draws and
    /// updates as the next eager step would: replay k uses the counter offsets of this step plus k times what the
    /// step advanced each generator, and Adam's step count plus k. The host's generators, optimiser step counts and
    /// other counters must then be advanced by the caller for each replay (they are what a checkpoint saves).
    /// Throws <see cref="StepNotCapturableException"/> with the reason where the step cannot be captured.
    /// </summary>
    ICapturedStep Capture(Action step, IReadOnlyList<Generator> generators);
}

/// <summary>An instantiated step graph with its private memory; dispose it to give the memory back.</summary>
public interface ICapturedStep : IDisposable
{
    /// <summary>Queues the next replay (the first is the captured step itself); nothing waits for the device.</summary>
    void Launch();

    /// <summary>Launches so far.</summary>
    long Launches { get; }
}

/// <summary>A training step that cannot be recorded as a graph; the message says why (a read back to the host inside
/// the step, an upload, a random fill from an undeclared generator, ...).</summary>
public sealed class StepNotCapturableException : Exception
{
    public StepNotCapturableException(string message) : base(message) { }
    public StepNotCapturableException(string message, Exception inner) : base(message, inner) { }
}
