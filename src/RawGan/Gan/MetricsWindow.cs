using RawGan.Backends;
using RawGan.Tensors;

namespace RawGan.Gan;

/// <summary>
/// The metrics of the last N steps, kept on the device and read back in one copy. Reading a value forces the host
/// to wait for every queued kernel; doing that once per window instead of four times per step lets a GPU run
/// steps back to back. The cost is that a NaN loss is found up to N steps late, which is why checkpoints and
/// samples read the window first (<see cref="TrainingRun"/>): nothing is ever saved from diverged weights.
/// </summary>
public sealed class MetricsWindow
{
    private readonly Tensor _rows;
    private readonly (long Step, int Epoch)[] _steps;

    /// <summary>A window of <paramref name="capacity"/> steps on <paramref name="backend"/>. Create it outside any
    /// <see cref="TensorScope"/>: it lives as long as the run.</summary>
    public MetricsWindow(int capacity, IBackend backend, DType dtype = DType.Float32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _steps = new (long, int)[capacity];
        _rows = Tensor.Zeros(new Shape(capacity, StepMetrics.Count), dtype, backend);
    }

    public int Capacity => _steps.Length;
    public int Count { get; private set; }
    public bool IsFull => Count == Capacity;

    /// <summary>Copies one step's metrics tensor (<see cref="GanTrainer.EnqueueStep(Tensor, Tensor?)"/>), taken at
    /// <paramref name="step"/> of <paramref name="epoch"/>, into the next row, on the device.</summary>
    public void Add(long step, int epoch, Tensor metrics)
    {
        if (IsFull) throw new InvalidOperationException($"The metrics window holds {Capacity} steps: read it before adding more.");
        if (metrics.Numel != StepMetrics.Count || metrics.DType != _rows.DType || metrics.Backend != _rows.Backend)
            throw new ArgumentException($"A step's metrics are {StepMetrics.Count} {_rows.DType} values on {_rows.Backend.Name}, " +
                                        $"not {metrics.DType} of shape {metrics.Shape} on {metrics.Backend.Name}.", nameof(metrics));
        _rows.Backend.Copy2D(metrics, 0, 0, _rows, (long)Count * StepMetrics.Count, 0, 1, StepMetrics.Count);
        _steps[Count++] = (step, epoch);
    }

    /// <summary>The rows added since the last read, oldest first, in one device-to-host copy; empties the window.</summary>
    public IReadOnlyList<(long Step, int Epoch, StepMetrics Metrics)> Read()
    {
        if (Count == 0) return [];
        double[] values = _rows.ToDoubleArray();
        var result = new (long, int, StepMetrics)[Count];
        for (int i = 0; i < Count; i++) result[i] = (_steps[i].Step, _steps[i].Epoch, StepMetrics.FromValues(values, i));
        Count = 0;
        return result;
    }

    /// <summary>Forgets the rows not yet read (after a rollback they belong to a timeline that no longer exists).</summary>
    public void Clear() => Count = 0;
}
