using RawGan.Backends.Cuda;

namespace RawGan.Tests.Backends;

/// <summary>The CUDA backend's caching allocator, on a fake device that counts allocations, frees and
/// synchronisations.</summary>
public sealed class CachingAllocatorTests
{
    private sealed class FakeDevice(long capacity) : IDeviceMemory
    {
        private readonly Dictionary<ulong, long> _live = [];
        private ulong _next = 0x1000_0000;
        public int Allocs, Frees, Syncs;
        public long Used => _live.Values.Sum();

        public ulong TryAllocate(long bytes)
        {
            if (Used + bytes > capacity) return 0;
            Allocs++;
            ulong p = _next;
            _next += (ulong)bytes + 4096;
            _live[p] = bytes;
            return p;
        }

        public void Free(ulong pointer)
        {
            Assert.True(_live.Remove(pointer), "double free");
            Frees++;
        }

        public void Synchronize() => Syncs++;
    }

    [Fact]
    public void Allocator_rounds_small_and_large_requests()
    {
        Assert.Equal(512, CachingAllocator.RoundUp(0));
        Assert.Equal(512, CachingAllocator.RoundUp(1));
        Assert.Equal(1024, CachingAllocator.RoundUp(513));
        Assert.Equal(1 << 20, CachingAllocator.RoundUp(1 << 20));
        Assert.Equal(2 << 20, CachingAllocator.RoundUp((1 << 20) + 1));
        Assert.Equal(4 << 20, CachingAllocator.RoundUp((2 << 20) + 1));
    }

    [Fact]
    public void Allocator_reuses_released_blocks_so_a_steady_loop_stops_allocating()
    {
        var device = new FakeDevice(1L << 40);
        var allocator = new CachingAllocator(device);
        long[] stepSizes = [100, 4000, 4000, 700_000, 3_000_000, 12, 65536];
        for (int step = 0; step < 10; step++)
        {
            var held = stepSizes.Select(s => (allocator.Allocate(s, out long block), block)).ToList();
            Assert.Equal(held.Count, held.Select(h => h.Item1).Distinct().Count()); // no block handed out twice
            foreach (var (p, block) in held) allocator.Release(p, block);
            Assert.Equal(stepSizes.Length, device.Allocs); // all from the first step
        }
        AllocatorStats s = allocator.Stats;
        Assert.Equal(0, s.AllocatedBytes);
        Assert.Equal(stepSizes.Sum(CachingAllocator.RoundUp), s.ReservedBytes);
        Assert.Equal(s.ReservedBytes, s.PeakAllocatedBytes);
        Assert.Equal(70, s.Requests);
        Assert.Equal(63, s.CacheHits);
        Assert.Equal(0, s.DeviceFrees);
    }

    [Fact]
    public void Allocator_empties_its_cache_and_retries_when_the_device_is_full()
    {
        var device = new FakeDevice(8 << 20);
        var allocator = new CachingAllocator(device);
        ulong a = allocator.Allocate(3 << 20, out long ba); // 4 MiB block
        ulong b = allocator.Allocate(3 << 20, out long bb); // 4 MiB block: the device is full
        allocator.Release(a, ba);
        allocator.Release(b, bb);
        ulong c = allocator.Allocate(6 << 20, out long bc);  // needs the cached blocks freed first
        Assert.NotEqual(0UL, c);
        Assert.Equal(2, device.Frees);
        Assert.True(device.Syncs >= 1, "the queued work must finish before memory goes back to the driver");
        Assert.Equal(bc, allocator.Stats.ReservedBytes);
        allocator.Release(c, bc);
        Assert.Throws<OutOfMemoryException>(() => allocator.Allocate(16 << 20, out _));
    }

    [Fact]
    public void A_graphs_blocks_stay_its_own_until_the_pool_is_released()
    {
        var device = new FakeDevice(1 << 30);
        var allocator = new CachingAllocator(device);
        ulong cached = allocator.Allocate(4096, out long size);
        allocator.Release(cached, size); // a warm-up step's block, cached

        var pool = new CachingAllocator.GraphPool();
        allocator.BeginGraphPool(pool);
        ulong a = allocator.Allocate(4096, out _);   // from the cache: joins the pool
        allocator.Release(a, size);                  // back to the pool, not the shared cache
        ulong b = allocator.Allocate(4096, out _);   // reused inside the capture
        allocator.Release(b, size);
        allocator.EndGraphPool();

        Assert.Equal(cached, a);
        Assert.Equal(a, b);
        ulong outside = allocator.Allocate(4096, out _); // eager work between replays must not get the graph's block
        Assert.NotEqual(a, outside);
        allocator.Release(outside, size);

        allocator.ReleaseGraphPool(pool);
        ulong after = allocator.Allocate(4096, out _);
        ulong again = allocator.Allocate(4096, out _);
        Assert.Contains(a, new[] { after, again }); // the graph is gone: its block serves anyone
        Assert.Equal(2, device.Allocs);
    }
}
