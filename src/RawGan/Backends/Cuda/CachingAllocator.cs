namespace RawGan.Backends.Cuda;

/// <summary>Counters of a <see cref="CachingAllocator"/>, in bytes of blocks (requests rounded up).</summary>
/// <param name="AllocatedBytes">Blocks handed out and not yet released.</param>
/// <param name="ReservedBytes">Segments obtained from the device: allocated blocks plus cached ones.</param>
/// <param name="PeakAllocatedBytes">The largest <paramref name="AllocatedBytes"/> since the last <see cref="CachingAllocator.ResetPeaks"/>.</param>
/// <param name="PeakReservedBytes">The largest <paramref name="ReservedBytes"/> likewise.</param>
/// <param name="DeviceAllocations">cuMemAlloc calls made (a steady training loop stops adding to this after its first step).</param>
/// <param name="DeviceFrees">cuMemFree calls made (only <see cref="CachingAllocator.EmptyCache"/> and out-of-memory retries free).</param>
/// <param name="Requests">Allocate calls.</param>
/// <param name="CacheHits">Requests served from cached blocks.</param>
public readonly record struct AllocatorStats(
    long AllocatedBytes, long ReservedBytes, long PeakAllocatedBytes, long PeakReservedBytes,
    long DeviceAllocations, long DeviceFrees, long Requests, long CacheHits)
{
    public override string ToString() =>
        $"allocated {Mib(AllocatedBytes)} (peak {Mib(PeakAllocatedBytes)}), reserved {Mib(ReservedBytes)} (peak {Mib(PeakReservedBytes)}), " +
        $"{DeviceAllocations} cuMemAlloc / {DeviceFrees} cuMemFree, {CacheHits}/{Requests} requests from the cache";

    private static string Mib(long b) => $"{b / 1048576.0:F1} MiB";
}

/// <summary>What the allocator needs from a device: raw allocation (0 when out of memory), free, and a way to
/// wait until queued work is done (before memory is given back to the driver). Tests substitute a fake.</summary>
internal interface IDeviceMemory
{
    /// <summary>A new block of <paramref name="bytes"/>, or 0 when the device is out of memory (other failures throw).</summary>
    ulong TryAllocate(long bytes);
    void Free(ulong pointer);
    void Synchronize();
}

/// <summary>
/// A caching device allocator after PyTorch's CUDACachingAllocator, kept small. Memory comes from the device in
/// segments: 2 MiB for requests up to 1 MiB (the small pool), 20 MiB for requests up to 10 MiB, the request
/// rounded up to 2 MiB above that (the large pool). A segment is cut into blocks: a request (rounded up to 512
/// bytes) takes the smallest cached block of its pool that fits, and what is left over becomes a cached block of
/// its own when it is worth keeping (any remainder in the small pool, over 1 MiB in the large one). A released block
/// merges with its free neighbours in the segment, so a 32 MiB block freed after one step serves two 16 MiB
/// requests in the next, and a convolution's transient workspace reuses the room of activations already released
/// instead of adding a segment. A loop that repeats its shapes makes no cuMemAlloc (nor cuMemFree, which
/// synchronises the device) after its first step. With one stream per device, a block released while kernels that
/// use it are still queued can be reused at once: whatever uses it next is queued behind them. When the device runs
/// out of memory, the wholly free segments are given back and the allocation retried once.
/// With <c>exactBlocks</c> every block is a segment of its own, of its rounded size, reused only by a request of
/// that size: the emulated GPU, which checks every access against the allocations it made, then sees each tensor's
/// bounds (PyTorch's PYTORCH_NO_CUDA_MEMORY_CACHING serves compute-sanitizer likewise).
/// </summary>
public sealed class CachingAllocator
{
    public const long SmallLimit = 1 << 20;
    public const long Granularity = 512;
    public const long SmallSegment = 2 << 20;
    public const long MidLimit = 10 << 20;
    public const long MidSegment = 20 << 20;
    public const long LargeGranularity = 2 << 20;

    /// <summary>A piece of a segment, free or handed out; its neighbours are the pieces before and after it in
    /// the same segment (null at the segment's ends).</summary>
    internal sealed class Block(ulong address, long size, bool small)
    {
        public readonly ulong Address = address;
        public long Size = size;
        public readonly bool Small = small;
        public bool Free;
        /// <summary>The captured graph whose memory this is (null: the shared cache's).</summary>
        public GraphPool? Owner;
        public Block? Prev, Next;
        public bool WholeSegment => Prev is null && Next is null;
    }

    internal sealed class BySizeThenAddress : IComparer<Block>
    {
        public int Compare(Block? a, Block? b) =>
            a!.Size != b!.Size ? a.Size.CompareTo(b.Size) : a.Address.CompareTo(b.Address);
    }

    private readonly IDeviceMemory _device;
    private readonly bool _exactBlocks;
    private readonly SortedSet<Block> _smallFree = new(new BySizeThenAddress()), _largeFree = new(new BySizeThenAddress());
    private readonly Dictionary<ulong, Block> _live = [];
    private GraphPool? _capturing;
    private readonly Lock _gate = new();
    private long _allocated, _reserved, _peakAllocated, _peakReserved, _deviceAllocs, _deviceFrees, _requests, _hits;

    internal CachingAllocator(IDeviceMemory device, bool exactBlocks = false)
    {
        _device = device;
        _exactBlocks = exactBlocks;
    }

    /// <summary>The block size a request of <paramref name="bytes"/> is served with (at least; a large-pool block
    /// may be up to 1 MiB larger when the remainder is too small to keep apart).</summary>
    public static long RoundUp(long bytes) => bytes <= 0 ? Granularity : (bytes + Granularity - 1) / Granularity * Granularity;

    /// <summary>The segment a request of rounded <paramref name="size"/> asks the device for when no cached block fits.</summary>
    public static long SegmentSize(long size) =>
        size <= SmallLimit ? SmallSegment
        : size <= MidLimit ? MidSegment
        : (size + LargeGranularity - 1) / LargeGranularity * LargeGranularity;

    public AllocatorStats Stats
    {
        get
        {
            lock (_gate)
                return new AllocatorStats(_allocated, _reserved, _peakAllocated, _peakReserved, _deviceAllocs, _deviceFrees, _requests, _hits);
        }
    }

    /// <summary>A block of at least <paramref name="bytes"/>; <paramref name="blockBytes"/> is what to pass back to <see cref="Release"/>.</summary>
    public ulong Allocate(long bytes, out long blockBytes)
    {
        long size = RoundUp(bytes);
        bool small = size <= SmallLimit;
        Block? block;
        lock (_gate)
        {
            _requests++;
            long most = _exactBlocks ? size : long.MaxValue;
            // A capture serves itself from its graph's own free blocks first, then from the shared cache.
            block = (_capturing is { } own ? BestFit(small ? own.SmallFree : own.LargeFree, size, most) : null)
                    ?? BestFit(small ? _smallFree : _largeFree, size, most);
            if (block is not null)
            {
                _hits++;
                block.Free = false; // taken now: a neighbour released before it is handed out must not merge with it
            }
        }
        if (block is null)
        {
            long segment = _exactBlocks ? size : SegmentSize(size);
            ulong p = _device.TryAllocate(segment);
            if (p == 0)
            {
                EmptyCache();
                p = _device.TryAllocate(segment);
                if (p == 0)
                    throw new OutOfMemoryException($"CUDA out of memory: could not allocate a segment of {segment} bytes for {bytes} bytes ({Stats}).");
            }
            block = new Block(p, segment, small);
            lock (_gate)
            {
                _deviceAllocs++;
                _reserved += segment;
                _peakReserved = Math.Max(_peakReserved, _reserved);
            }
        }
        lock (_gate)
        {
            // The rest of a graph's block stays the graph's (a replay may use it); the rest of a shared one stays shared.
            Split(block, size, block.Owner);
            Adopt(block);
            _live.Add(block.Address, block);
            _allocated += block.Size;
            _peakAllocated = Math.Max(_peakAllocated, _allocated);
            blockBytes = block.Size;
            return block.Address;
        }
    }

    /// <summary>The smallest free block of <paramref name="size"/> to <paramref name="most"/> bytes in
    /// <paramref name="pool"/>, taken out of it.</summary>
    private static Block? BestFit(SortedSet<Block> pool, long size, long most)
    {
        if (pool.Count == 0 || pool.Max!.Size < size || pool.Min!.Size > most) return null;
        Block? best = pool.GetViewBetween(new Block(0, size, false), pool.Max).Min;
        if (best is null || best.Size > most) return null;
        pool.Remove(best);
        return best;
    }

    /// <summary>Cuts <paramref name="block"/> to <paramref name="size"/> and caches the rest as a free block after it,
    /// unless the rest is too small to be worth a block of its own (a large-pool remainder up to 1 MiB stays with it,
    /// as PyTorch's does, so large blocks are not whittled into slivers).</summary>
    private void Split(Block block, long size, GraphPool? tailOwner)
    {
        long rest = block.Size - size;
        if (_exactBlocks || rest < Granularity || (!block.Small && rest <= SmallLimit)) return;
        var tail = new Block(block.Address + (ulong)size, rest, block.Small) { Free = true, Prev = block, Next = block.Next, Owner = tailOwner };
        tailOwner?.Members.Add(tail);
        if (block.Next is not null) block.Next.Prev = tail;
        block.Next = tail;
        block.Size = size;
        Pool(tail).Add(tail);
    }

    private SortedSet<Block> Pool(Block b) =>
        b.Owner is { } graph ? (b.Small ? graph.SmallFree : graph.LargeFree) : (b.Small ? _smallFree : _largeFree);

    /// <summary>During a capture, <paramref name="block"/> becomes the graph's, if it is not already.</summary>
    private void Adopt(Block block)
    {
        if (_capturing is null || block.Owner is not null) return;
        block.Owner = _capturing;
        _capturing.Members.Add(block);
    }

    /// <summary>Returns a block to its pool, merged with the free blocks beside it. No device call: safe from a finaliser.</summary>
    public void Release(ulong pointer, long blockBytes)
    {
        lock (_gate)
        {
            if (!_live.TryGetValue(pointer, out Block? block))
                throw new InvalidOperationException($"Release of 0x{pointer:x}, which this allocator has not handed out (or which was released already).");
            if (block.Size != blockBytes)
                throw new InvalidOperationException($"Release of 0x{pointer:x} as {blockBytes} bytes; it was handed out as {block.Size}.");
            _live.Remove(pointer);
            _allocated -= block.Size;
            // A block from before the capture, released during it, may be in the graph's work: the graph keeps it.
            Adopt(block);
            block.Free = true;
            CacheMerged(block);
        }
    }

    /// <summary>Caches free <paramref name="block"/>, merged with the free neighbours of the same owner (a graph's
    /// memory never merges into the shared cache's, nor the reverse).</summary>
    private void CacheMerged(Block block)
    {
        if (block.Prev is { Free: true } before && before.Owner == block.Owner) block = Merge(before, block);
        if (block.Next is { Free: true } after && after.Owner == block.Owner) block = Merge(block, after);
        Pool(block).Add(block);
    }

    /// <summary>Joins free <paramref name="second"/> onto <paramref name="first"/> (adjacent, first before second);
    /// whichever of them was cached leaves its pool (the merged block is re-added by the caller).</summary>
    private Block Merge(Block first, Block second)
    {
        SortedSet<Block> pool = Pool(first);
        pool.Remove(first); // the one being released is in no pool: Remove is then a no-op
        pool.Remove(second);
        second.Owner?.Members.Remove(second);
        first.Size += second.Size;
        first.Next = second.Next;
        if (second.Next is not null) second.Next.Prev = first;
        return first;
    }

    /// <summary>
    /// The memory of one captured CUDA graph. A graph replays the addresses it was recorded with, so every block the
    /// step touched during capture must stay the graph's: were one handed to other work between replays, a replay
    /// would overwrite it (PyTorch gives each graph a private pool for the same reason). From
    /// <see cref="BeginGraphPool"/> to <see cref="EndGraphPool"/>, requests are served from the pool's own free blocks
    /// first, then from the shared cache (the block then joins the pool); a pooled block released, during capture or
    /// after, returns to the pool, where only a capture into it can take it again. Reuse inside the capture is safe:
    /// the capture is of one stream, so the graph runs its nodes in the order they were queued, as the stream would.
    /// A capture after a warm-up step finds every block it needs cached, so it makes no cuMemAlloc (which a
    /// capturing stream refuses). <see cref="ReleaseGraphPool"/>, once the graph is destroyed, gives the blocks back.
    /// </summary>
    internal sealed class GraphPool
    {
        internal readonly SortedSet<Block> SmallFree = new(new BySizeThenAddress()), LargeFree = new(new BySizeThenAddress());
        internal readonly HashSet<Block> Members = [];
    }

    /// <summary>Serves and takes back the blocks of a capture in <paramref name="pool"/> until <see cref="EndGraphPool"/>.</summary>
    internal void BeginGraphPool(GraphPool pool)
    {
        lock (_gate)
        {
            if (_capturing is not null) throw new InvalidOperationException("A graph capture is under way already.");
            _capturing = pool;
        }
    }

    internal void EndGraphPool()
    {
        lock (_gate) _capturing = null;
    }

    /// <summary>The graph that used <paramref name="pool"/> is gone: its free blocks return to the shared cache
    /// (merged with free shared neighbours), and those still held (its outputs) return there when released.</summary>
    internal void ReleaseGraphPool(GraphPool pool)
    {
        lock (_gate)
        {
            List<Block> free = [.. pool.SmallFree, .. pool.LargeFree];
            pool.SmallFree.Clear();
            pool.LargeFree.Clear();
            foreach (Block b in pool.Members) b.Owner = null;
            pool.Members.Clear();
            // A block merged into an earlier one of the list meanwhile is no longer a block of its own: skipped.
            foreach (Block b in free)
                if (IsHead(b)) CacheMerged(b);
        }
    }

    /// <summary>Whether <paramref name="b"/> is still a block of its own (not merged into a neighbour meanwhile).</summary>
    private static bool IsHead(Block b) => b.Prev is null || b.Prev.Next == b;

    /// <summary>Gives every wholly free segment back to the driver, after the queued work is done.</summary>
    public void EmptyCache()
    {
        List<Block> segments;
        lock (_gate)
        {
            segments = [.. _smallFree.Where(b => b.WholeSegment), .. _largeFree.Where(b => b.WholeSegment)];
            foreach (Block b in segments) Pool(b).Remove(b);
        }
        if (segments.Count == 0) return;
        _device.Synchronize();
        foreach (Block b in segments)
        {
            _device.Free(b.Address);
            lock (_gate)
            {
                _deviceFrees++;
                _reserved -= b.Size;
            }
        }
    }

    /// <summary>Starts peak tracking afresh from the current figures (for per-phase measurements).</summary>
    public void ResetPeaks()
    {
        lock (_gate)
        {
            _peakAllocated = _allocated;
            _peakReserved = _reserved;
        }
    }
}
