namespace RawGan.Backends.Cuda;

/// <summary>Counters of a <see cref="CachingAllocator"/>, in bytes of blocks (requests rounded up).</summary>
/// <param name="AllocatedBytes">Blocks handed out and not yet released.</param>
/// <param name="ReservedBytes">Blocks obtained from the device: allocated plus cached.</param>
/// <param name="PeakAllocatedBytes">The largest <paramref name="AllocatedBytes"/> since the last <see cref="CachingAllocator.ResetPeaks"/>.</param>
/// <param name="PeakReservedBytes">The largest <paramref name="ReservedBytes"/> likewise.</param>
/// <param name="DeviceAllocations">cuMemAlloc calls made (a steady training loop stops adding to this after its first step).</param>
/// <param name="DeviceFrees">cuMemFree calls made (only <see cref="CachingAllocator.EmptyCache"/> and out-of-memory retries free).</param>
/// <param name="Requests">Allocate calls.</param>
/// <param name="CacheHits">Requests served from the free lists.</param>
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
/// A caching device allocator in the manner of PyTorch's: released blocks go to free lists keyed by their rounded
/// size and are handed out again, so a training loop that repeats its shapes makes no cuMemAlloc (and no cuMemFree,
/// which synchronises the device) after its first step. Requests up to 1 MiB round up to 512-byte multiples, larger
/// ones to 2 MiB multiples. With one stream per device, a block released while kernels that use it are still queued
/// can be reused at once: whatever uses it next is queued behind them. When the device runs out of memory the cache
/// is emptied and the allocation retried once.
/// </summary>
public sealed class CachingAllocator
{
    public const long SmallLimit = 1 << 20;
    public const long SmallGranularity = 512;
    public const long LargeGranularity = 2 << 20;

    private readonly IDeviceMemory _device;
    private readonly Dictionary<long, Stack<ulong>> _free = [];
    private readonly Dictionary<ulong, GraphPool> _pooled = []; // blocks a captured graph owns, by pointer
    private GraphPool? _capturing;
    private readonly Lock _gate = new();
    private long _allocated, _reserved, _peakAllocated, _peakReserved, _deviceAllocs, _deviceFrees, _requests, _hits;

    internal CachingAllocator(IDeviceMemory device) => _device = device;

    /// <summary>The block size a request of <paramref name="bytes"/> is served with.</summary>
    public static long RoundUp(long bytes)
    {
        if (bytes <= 0) return SmallGranularity;
        long g = bytes <= SmallLimit ? SmallGranularity : LargeGranularity;
        return (bytes + g - 1) / g * g;
    }

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
        blockBytes = size;
        lock (_gate)
        {
            _requests++;
            if (_capturing is { } pool && pool.Free.TryGetValue(size, out Stack<ulong>? own) && own.TryPop(out ulong reused))
            {
                _hits++;
                _allocated += size;
                _peakAllocated = Math.Max(_peakAllocated, _allocated);
                return reused;
            }
            if (_free.TryGetValue(size, out Stack<ulong>? stack) && stack.TryPop(out ulong cached))
            {
                if (_capturing is not null) _pooled[cached] = _capturing;
                _hits++;
                _allocated += size;
                _peakAllocated = Math.Max(_peakAllocated, _allocated);
                return cached;
            }
        }

        ulong p = _device.TryAllocate(size);
        if (p == 0)
        {
            EmptyCache();
            p = _device.TryAllocate(size);
            if (p == 0)
                throw new OutOfMemoryException($"CUDA out of memory: could not allocate {size} bytes ({Stats}).");
        }
        lock (_gate)
        {
            if (_capturing is not null) _pooled[p] = _capturing;
            _deviceAllocs++;
            _allocated += size;
            _reserved += size;
            _peakAllocated = Math.Max(_peakAllocated, _allocated);
            _peakReserved = Math.Max(_peakReserved, _reserved);
        }
        return p;
    }

    /// <summary>Returns a block to its free list. No device call: safe from a finaliser.</summary>
    public void Release(ulong pointer, long blockBytes)
    {
        lock (_gate)
        {
            // A block from before the capture, released during it, may be in the graph's work: the graph keeps it.
            if (_capturing is not null && !_pooled.ContainsKey(pointer)) _pooled[pointer] = _capturing;
            Dictionary<long, Stack<ulong>> lists = _pooled.TryGetValue(pointer, out GraphPool? pool) ? pool.Free : _free;
            if (!lists.TryGetValue(blockBytes, out Stack<ulong>? stack)) lists[blockBytes] = stack = new Stack<ulong>();
            stack.Push(pointer);
            _allocated -= blockBytes;
        }
    }

    /// <summary>
    /// The blocks of one captured CUDA graph. A graph replays the addresses it was recorded with, so every block the
    /// step touched during capture must stay the graph's: were one handed to other work between replays, a replay
    /// would overwrite it (PyTorch gives each graph a private pool for the same reason). From
    /// <see cref="BeginGraphPool"/> to <see cref="EndGraphPool"/>, requests are served from the pool's own free blocks
    /// first, then from the shared cache (the block then joins the pool); a pooled block released, during capture or
    /// after, returns to the pool, where only the same capture can take it again. Reuse inside the capture is safe:
    /// the capture is of one stream, so the graph runs its nodes in the order they were queued, as the stream would.
    /// A capture after a warm-up step finds every block it needs cached, so it makes no cuMemAlloc (which a
    /// capturing stream refuses). <see cref="ReleaseGraphPool"/>, once the graph is destroyed, gives the blocks back.
    /// </summary>
    internal sealed class GraphPool
    {
        public Dictionary<long, Stack<ulong>> Free { get; } = [];
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

    /// <summary>The graph that used <paramref name="pool"/> is gone: its free blocks return to the shared cache, and
    /// those still held (its outputs) return there when released.</summary>
    internal void ReleaseGraphPool(GraphPool pool)
    {
        lock (_gate)
        {
            foreach (ulong p in _pooled.Where(kv => kv.Value == pool).Select(kv => kv.Key).ToList()) _pooled.Remove(p);
            foreach ((long size, Stack<ulong> blocks) in pool.Free)
            {
                if (!_free.TryGetValue(size, out Stack<ulong>? stack)) _free[size] = stack = new Stack<ulong>();
                foreach (ulong p in blocks) stack.Push(p);
            }
            pool.Free.Clear();
        }
    }

    /// <summary>Gives every cached (free) block back to the driver, after the queued work is done.</summary>
    public void EmptyCache()
    {
        List<(ulong Pointer, long Bytes)> blocks;
        lock (_gate)
        {
            blocks = _free.SelectMany(kv => kv.Value.Select(p => (p, kv.Key))).ToList();
            _free.Clear();
        }
        if (blocks.Count == 0) return;
        _device.Synchronize();
        foreach ((ulong p, long bytes) in blocks)
        {
            _device.Free(p);
            lock (_gate)
            {
                _deviceFrees++;
                _reserved -= bytes;
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
