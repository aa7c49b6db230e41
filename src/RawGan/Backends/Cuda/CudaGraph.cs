using System.Runtime.InteropServices;
using RawGan.Tensors;
using static RawGan.Backends.Cuda.CudaCheck;

namespace RawGan.Backends.Cuda;

/// <summary>
/// What a capture under way records besides the stream's work: the graph's inputs. A kernel argument is fixed when
/// the step is recorded, so a value that changes from step to step (the Philox counter offset of a random fill, Adam's
/// bias corrections) cannot be one: such kernels (fill_random_at_f32, adam_step_at_f32) read it from an 8-byte slot
/// of the graph's input block instead, and the host writes every slot before each launch. Why the host writes the
/// slots rather than a kernel incrementing a counter on the device: the host's generators and optimiser step counts
/// stay the one copy of that state, saved by checkpoints as before, so a resumed run (which captures afresh from the
/// restored state) continues exactly; a device-side counter would be a second copy to keep in step and to read back
/// for every checkpoint. The block goes up with the launch, one small asynchronous copy, as the batch does.
/// </summary>
internal sealed class GraphInputs(ulong block, IReadOnlyList<Generator> generators)
{
    /// <summary>Slots in the block (8 bytes each): enough for a step's fills and Adam updates many times over.</summary>
    public const int Capacity = 512;

    private readonly List<Func<long, ulong>> _slots = [];
    private readonly ulong[] _start = generators.Select(g => g.Offset).ToArray();
    private readonly ulong[] _advance = new ulong[generators.Count]; // what the step drew from each generator
    private readonly Dictionary<AdamHyper, ulong> _adam = [];
    private readonly HashSet<ulong> _adamParameters = [];

    public ulong Block { get; } = block;

    /// <summary>The slot of a random fill at counter <paramref name="offset"/> of <paramref name="seed"/>: on replay k,
    /// offset + k × (the step's draws from that generator).</summary>
    public ulong RandomOffset(ulong seed, ulong offset)
    {
        int g = generators.ToList().FindIndex(x => x.Seed == seed);
        if (g < 0)
            throw new StepNotCapturableException($"a random fill with seed {seed} comes from a generator the step did not declare, so its replays could not draw fresh numbers");
        return Slot(k => offset + (ulong)k * _advance[g]);
    }

    /// <summary>The slot of Adam's two step-dependent scalars for an update at <paramref name="h"/> of the parameter at
    /// <paramref name="parameter"/>: on replay k, those of step h.Step + k (one update per parameter per step).</summary>
    public ulong AdamScalars(AdamHyper h, ulong parameter)
    {
        if (!_adamParameters.Add(parameter))
            throw new StepNotCapturableException("a parameter is updated twice in one step, so its Adam step count would not advance by one per replay");
        if (_adam.TryGetValue(h, out ulong at)) return at;
        return _adam[h] = Slot(k =>
        {
            (float negStepSize, float bc2Sqrt) = CudaBackend.AdamStepScalars(h with { Step = h.Step + k });
            return BitConverter.SingleToUInt32Bits(negStepSize) | (ulong)BitConverter.SingleToUInt32Bits(bc2Sqrt) << 32;
        });
    }

    /// <summary>The capture is over: what the step drew from each generator is each replay's advance.</summary>
    public void Finish()
    {
        for (int g = 0; g < _advance.Length; g++) _advance[g] = generators[g].Offset - _start[g];
    }

    /// <summary>The slots' values for replay <paramref name="k"/>.</summary>
    public ulong[] Values(long k) => _slots.Select(s => s(k)).ToArray();

    private ulong Slot(Func<long, ulong> value)
    {
        if (_slots.Count == Capacity) throw new StepNotCapturableException($"the step needs more than {Capacity} graph inputs");
        _slots.Add(value);
        return Block + (ulong)(8 * (_slots.Count - 1));
    }
}

/// <summary>An instantiated CUDA graph of one step (<see cref="CudaBackend.Capture"/>), with its private memory pool
/// and input block.</summary>
internal sealed class CudaGraph(CudaBackend backend, nint exec, CachingAllocator.GraphPool pool, GraphInputs inputs)
    : ICapturedStep
{
    private nint _exec = exec;

    public long Launches { get; private set; }

    public unsafe void Launch()
    {
        ObjectDisposedException.ThrowIf(_exec == 0, this);
        backend.MakeCurrent();
        ulong[] values = inputs.Values(Launches);
        // Queued before the launch on the same stream: replay k reads its own values, and the next upload waits for it.
        if (values.Length > 0) backend.Resources.Staging.Upload(MemoryMarshal.AsBytes(values.AsSpan()), inputs.Block);
        Check(backend.Api.cuGraphLaunch(_exec, backend.Stream));
        Launches++;
    }

    public void Dispose()
    {
        if (_exec == 0) return;
        backend.MakeCurrent();
        // The graph's memory may be handed out again only once its last replay has run.
        backend.Synchronize();
        Check(backend.Api.cuGraphExecDestroy(_exec));
        _exec = 0;
        backend.Allocator.ReleaseGraphPool(pool);
        Check(backend.Api.cuMemFree(inputs.Block));
    }
}
