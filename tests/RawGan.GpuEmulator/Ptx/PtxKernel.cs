namespace RawGan.GpuEmulator.Ptx;

/// <summary>What a launch did.</summary>
internal readonly record struct PtxLaunchStats(long Instructions, long Blocks, long Threads);

/// <summary>An <c>.entry</c> of a <see cref="PtxModule"/>, launchable on a <see cref="PtxMemory"/> like
/// cuLaunchKernel: a (gridX, gridY) grid of 1-D blocks of blockX threads.</summary>
internal sealed class PtxKernel
{
    internal PtxKernel(PtxModule module, PtxFunction entry)
    {
        Module = module;
        Entry = entry;
        Parameters = [.. entry.Parameters.Select(p => (p.Name, p.Type.Name(), p.Type.Size()))];
    }

    public PtxModule Module { get; }
    internal PtxFunction Entry { get; }
    public string Name => Entry.Name;

    /// <summary>The parameters in order: name, PTX type without the dot ("u64", "f32", …) and size in bytes.</summary>
    public IReadOnlyList<(string Name, string Type, int Size)> Parameters { get; }

    /// <summary>Runs the kernel to completion. Argument i is in the low <c>Parameters[i].Size</c> bytes of
    /// <paramref name="args"/>[i] (higher bits are ignored). <paramref name="sharedBytes"/> sizes the
    /// <c>.extern .shared</c> arrays (ignored by modules without one). Throws <see cref="PtxFaultException"/> when
    /// the kernel misbehaves and <see cref="ArgumentException"/> for an invalid launch.</summary>
    public PtxLaunchStats Launch(PtxMemory memory, uint gridX, uint gridY, uint blockX, uint sharedBytes, ReadOnlySpan<ulong> args)
    {
        ArgumentNullException.ThrowIfNull(memory);
        if (args.Length != Parameters.Count)
            throw new ArgumentException($"{Name} takes {Parameters.Count} argument(s) ({string.Join(", ", Parameters.Select(p => $".{p.Type} {p.Name}"))}) but {args.Length} were given");
        if (gridX is 0 or > int.MaxValue || gridY is 0 or > 65535)
            throw new ArgumentException($"{Name}: invalid grid ({gridX}, {gridY})");
        if (blockX is 0 or > 1024) throw new ArgumentException($"{Name}: invalid blockDim {blockX} (1 to 1024)");
        if (Entry.MaxThreads is int max && blockX > max) throw new ArgumentException($"{Name}: blockDim {blockX} exceeds its .maxntid {max}");
        if (Entry.RequiredThreads is int required && blockX != required)
            throw new ArgumentException($"{Name}: blockDim {blockX} differs from its .reqntid {required}");
        long threads = (long)gridX * gridY * blockX;
        if (threads >= int.MaxValue) throw new ArgumentException($"{Name}: {threads} threads is more than the interpreter handles");
        if (Module.HasExternShared && sharedBytes > 227 * 1024)
            throw new ArgumentException($"{Name}: {sharedBytes} bytes of dynamic shared memory is more than a GPU offers");

        var arguments = new ulong[args.Length];
        for (int i = 0; i < args.Length; i++)
            arguments[i] = Parameters[i].Size == 8 ? args[i] : args[i] & ((1UL << (8 * Parameters[i].Size)) - 1);
        long executed = new PtxExecutor(this, memory, gridX, gridY, blockX, Module.HasExternShared ? sharedBytes : 0, arguments).Run();
        return new PtxLaunchStats(executed, (long)gridX * gridY, threads);
    }
}
