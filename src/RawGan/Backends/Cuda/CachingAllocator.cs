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
    private sealed class Block(ulong address, long size, bool small)
    {
        public readonly ulong Address = address;
        public long Size = size;
        public readonly bool Small = small;
        public bool Free;
        public Block? Prev, Next;
        public bool WholeSegment => Prev is null && Next is null;
    }

    private sealed class BySizeThenAddress : IComparer<Block>
    {
        public int Compare(Block? a, Block? b) =>
            a!.Size != b!.Size ? a.Size.CompareTo(b.Size) : a.Address.CompareTo(b.Address);
    }

    private readonly IDeviceMemory _device;
    private readonly bool _exactBlocks;
    private readonly SortedSet<Block> _smallFree = new(new BySizeThenAddress()), _largeFree = new(new BySizeThenAddress());
    private readonly Dictionary<ulong, Block> _live = [];
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
            block = BestFit(small ? _smallFree : _largeFree, size, _exactBlocks ? size : long.MaxValue);
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
            Split(block, size);
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
    private void Split(Block block, long size)
    {
        long rest = block.Size - size;
        if (_exactBlocks || rest < Granularity || (!block.Small && rest <= SmallLimit)) return;
        var tail = new Block(block.Address + (ulong)size, rest, block.Small) { Free = true, Prev = block, Next = block.Next };
        if (block.Next is not null) block.Next.Prev = tail;
        block.Next = tail;
        block.Size = size;
        Pool(tail).Add(tail);
    }

    private SortedSet<Block> Pool(Block b) => b.Small ? _smallFree : _largeFree;

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
            block.Free = true;
            if (block.Prev is { Free: true } before) block = Merge(before, block);
            if (block.Next is { Free: true } after) block = Merge(block, after);
            Pool(block).Add(block);
        }
    }

    /// <summary>Joins free <paramref name="second"/> onto <paramref name="first"/> (adjacent, first before second);
    /// whichever of them was cached leaves its pool (the merged block is re-added by the caller).</summary>
    private Block Merge(Block first, Block second)
    {
        SortedSet<Block> pool = Pool(first);
        pool.Remove(first); // the one being released is in no pool: Remove is then a no-op
        pool.Remove(second);
        first.Size += second.Size;
        first.Next = second.Next;
        if (second.Next is not null) second.Next.Prev = first;
        return first;
    }

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
