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

    private const long MiB = 1 << 20;

    [Fact]
    public void Allocator_rounds_requests_to_512_bytes_and_sizes_segments_by_pool()
    {
        Assert.Equal(512, CachingAllocator.RoundUp(0));
        Assert.Equal(512, CachingAllocator.RoundUp(1));
        Assert.Equal(1024, CachingAllocator.RoundUp(513));
        Assert.Equal(MiB + 512, CachingAllocator.RoundUp(MiB + 1));
        Assert.Equal(2 * MiB, CachingAllocator.SegmentSize(512));
        Assert.Equal(2 * MiB, CachingAllocator.SegmentSize(MiB));
        Assert.Equal(20 * MiB, CachingAllocator.SegmentSize(MiB + 512));
        Assert.Equal(20 * MiB, CachingAllocator.SegmentSize(10 * MiB));
        Assert.Equal(12 * MiB, CachingAllocator.SegmentSize(10 * MiB + 512));
    }

    [Fact]
    public void Allocator_reuses_released_blocks_so_a_steady_loop_stops_allocating()
    {
        var device = new FakeDevice(1L << 40);
        var allocator = new CachingAllocator(device);
        long[] stepSizes = [100, 4000, 4000, 700_000, 3_000_000, 12, 65536, 30_000_000];
        for (int step = 0; step < 10; step++)
        {
            var held = stepSizes.Select(s => (allocator.Allocate(s, out long block), block)).ToList();
            AssertDisjoint(held.Select(h => (h.Item1, h.block)));
            foreach (var (p, block) in held) allocator.Release(p, block);
            Assert.Equal(3, device.Allocs); // all from the first step: one small segment, one 20 MiB, one 30 MiB (rounded to 2 MiB)
        }
        AllocatorStats s = allocator.Stats;
        Assert.Equal(0, s.AllocatedBytes);
        Assert.Equal(2 * MiB + 20 * MiB + 30 * MiB, s.ReservedBytes);
        Assert.Equal(80, s.Requests);
        Assert.Equal(77, s.CacheHits);
        Assert.Equal(0, s.DeviceFrees);
    }

    [Fact]
    public void A_large_block_splits_and_its_halves_merge_back_when_both_are_released()
    {
        var device = new FakeDevice(1L << 40);
        var allocator = new CachingAllocator(device);
        ulong whole = allocator.Allocate(32 * MiB, out long wholeBytes);
        Assert.Equal(32 * MiB, wholeBytes);
        allocator.Release(whole, wholeBytes);

        // Two 16 MiB requests are served by the one cached 32 MiB block, the second at the first's end.
        ulong a = allocator.Allocate(16 * MiB, out long ab), b = allocator.Allocate(16 * MiB, out long bb);
        Assert.Equal((whole, 16 * MiB), (a, ab));
        Assert.Equal((whole + 16 * MiB, 16 * MiB), (b, bb));
        Assert.Equal(1, device.Allocs);

        // Released in either order, the halves merge: the whole 32 MiB serves a 32 MiB request again.
        allocator.Release(b, bb);
        allocator.Release(a, ab);
        Assert.Equal(whole, allocator.Allocate(32 * MiB, out long again));
        Assert.Equal(32 * MiB, again);
        Assert.Equal(1, device.Allocs);
        Assert.Equal(32 * MiB, allocator.Stats.PeakReservedBytes);
    }

    [Fact]
    public void A_block_merges_with_free_neighbours_on_both_sides()
    {
        var device = new FakeDevice(1L << 40);
        var allocator = new CachingAllocator(device);
        ulong seg = allocator.Allocate(30 * MiB, out long segBytes);
        allocator.Release(seg, segBytes);
        var parts = Enumerable.Range(0, 3).Select(_ => (P: allocator.Allocate(10 * MiB, out long n), N: n)).ToArray();
        Assert.Equal([seg, seg + 10 * MiB, seg + 20 * MiB], parts.Select(x => x.P));
        allocator.Release(parts[0].P, parts[0].N);
        allocator.Release(parts[2].P, parts[2].N);

        // With the middle one still out, the two free 10 MiB blocks cannot serve 20 MiB: a new segment.
        ulong other = allocator.Allocate(20 * MiB, out long otherBytes);
        Assert.Equal(2, device.Allocs);
        allocator.Release(other, otherBytes);

        allocator.Release(parts[1].P, parts[1].N); // joins both neighbours: one free 30 MiB block again
        Assert.Equal(seg, allocator.Allocate(30 * MiB, out _));
        Assert.Equal(2, device.Allocs);
    }

    [Fact]
    public void A_small_remainder_stays_with_a_large_block_but_a_small_pool_block_splits_to_512_bytes()
    {
        var device = new FakeDevice(1L << 40);
        var allocator = new CachingAllocator(device);
        ulong big = allocator.Allocate(12 * MiB, out long bigBytes);
        allocator.Release(big, bigBytes);
        Assert.Equal(big, allocator.Allocate(11 * MiB + 512, out long served));
        Assert.Equal(12 * MiB, served); // the 512 KiB left over is not kept apart in the large pool

        ulong s1 = allocator.Allocate(1000, out long b1), s2 = allocator.Allocate(1000, out long b2);
        Assert.Equal((1024L, 1024L), (b1, b2));
        Assert.Equal(s1 + 1024, s2); // both from the one 2 MiB small segment
        Assert.Equal(2, device.Allocs);
    }

    [Fact]
    public void Random_allocations_and_releases_never_hand_out_overlapping_blocks_and_account_exactly()
    {
        var random = new Random(14);
        var device = new FakeDevice(1L << 40);
        var allocator = new CachingAllocator(device);
        var live = new List<(ulong P, long Bytes, long Asked)>();
        for (int i = 0; i < 20_000; i++)
        {
            if (live.Count > 0 && random.NextDouble() < 0.48)
            {
                int k = random.Next(live.Count);
                allocator.Release(live[k].P, live[k].Bytes);
                live[k] = live[^1];
                live.RemoveAt(live.Count - 1);
            }
            else
            {
                // Sizes over every pool: bytes, KiB, around the 1 MiB and 10 MiB limits, tens of MiB.
                long asked = random.Next(5) switch
                {
                    0 => random.Next(1, 4096),
                    1 => random.Next(1, 1 << 20),
                    2 => (1 << 20) - 2048 + random.Next(4096),
                    3 => random.NextInt64(1 << 20, 12 << 20),
                    _ => random.NextInt64(12 << 20, 64 << 20),
                };
                ulong p = allocator.Allocate(asked, out long bytes);
                Assert.True(bytes >= asked, $"{bytes}-byte block for {asked} bytes");
                live.Add((p, bytes, asked));
            }
            if (i % 97 == 0) AssertDisjoint(live.Select(x => (x.P, x.Bytes)));
            AllocatorStats s = allocator.Stats;
            Assert.Equal(live.Sum(x => x.Bytes), s.AllocatedBytes);
            Assert.Equal(device.Used, s.ReservedBytes);
        }
        AssertDisjoint(live.Select(x => (x.P, x.Bytes)));
        foreach (var x in live) allocator.Release(x.P, x.Bytes);
        allocator.EmptyCache();
        Assert.Equal(0, allocator.Stats.ReservedBytes); // everything merged back into whole segments, all freed
        Assert.Equal(0, device.Used);
    }

    [Fact]
    public void Releasing_a_block_twice_or_with_the_wrong_size_throws()
    {
        var allocator = new CachingAllocator(new FakeDevice(1L << 40));
        ulong p = allocator.Allocate(5000, out long bytes);
        Assert.Throws<InvalidOperationException>(() => allocator.Release(p, bytes + 512));
        allocator.Release(p, bytes);
        Assert.Throws<InvalidOperationException>(() => allocator.Release(p, bytes));
    }

    /// <summary>No two blocks overlap, and each lies inside memory the fake device handed out.</summary>
    private static void AssertDisjoint(IEnumerable<(ulong P, long Bytes)> blocks)
    {
        ulong end = 0;
        foreach (var (p, bytes) in blocks.OrderBy(b => b.P))
        {
            Assert.True(p >= end, $"block at 0x{p:x} overlaps the one before it (which ends at 0x{end:x})");
            end = p + (ulong)bytes;
        }
    }

    [Fact]
    public void Allocator_empties_its_cache_and_retries_when_the_device_is_full()
    {
        var device = new FakeDevice(48 * MiB);
        var allocator = new CachingAllocator(device);
        ulong a = allocator.Allocate(20 * MiB, out long ba); // a 20 MiB segment
        ulong b = allocator.Allocate(20 * MiB, out long bb); // another: 8 MiB of the device left
        allocator.Release(a, ba);
        allocator.Release(b, bb);
        ulong c = allocator.Allocate(30 * MiB, out long bc);  // needs the cached segments freed first
        Assert.NotEqual(0UL, c);
        Assert.Equal(2, device.Frees);
        Assert.True(device.Syncs >= 1, "the queued work must finish before memory goes back to the driver");
        Assert.Equal(bc, allocator.Stats.ReservedBytes);
        allocator.Release(c, bc);
        Assert.Throws<OutOfMemoryException>(() => allocator.Allocate(64 * MiB, out _));
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
        // One segment throughout: the capture took only the block it used, the rest of the segment stayed shared.
        Assert.Equal(1, device.Allocs);
    }
}
