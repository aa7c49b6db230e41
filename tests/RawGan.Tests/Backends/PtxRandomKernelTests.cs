using RawGan.GpuEmulator.Ptx;
using RawGan.Tensors;

namespace RawGan.Tests.Backends;

/// <summary>kernels/random.ptx's quad loop at its edges, in the interpreter against <see cref="Philox"/>: every
/// alignment of y (16-byte stores only where a whole quad is aligned), sizes that leave a ragged last quad, grids that
/// wrap the grid-stride loop, and counters whose low word carries (or wraps 2⁶⁴) inside a quad. Element i must be
/// drawn from counter offset + i whatever the launch, and nothing outside y[0, n) may be written.</summary>
public class PtxRandomKernelTests
{
    [Theory]
    [InlineData(0, 1, 0UL, 1u, 256u)]
    [InlineData(4, 2, 5UL, 1u, 32u)]
    [InlineData(8, 3, 0xFFFF_FFFEUL, 1u, 32u)]           // the quad's counters carry into the high word
    [InlineData(12, 5, 0xFFFF_FFFF_FFFF_FFFEUL, 2u, 32u)] // ... and wrap past 2^64
    [InlineData(0, 1023, 77UL, 3u, 64u)]                  // 256 quads over 192 threads: the loop wraps
    [InlineData(4, 1029, 1UL << 40, 2u, 128u)]
    public void Uniform_fill_draws_element_i_from_counter_offset_plus_i(int misalign, int n, ulong offset, uint grid, uint block)
    {
        const ulong seed = 0x1234_5678_9ABCUL;
        const double low = -3, high = 5;
        float[] y = Fill("fill_uniform_f32", misalign, n, seed, offset, grid, block, BitConverter.DoubleToUInt64Bits(low), BitConverter.DoubleToUInt64Bits(high));
        for (int i = 0; i < n; i++)
            Assert.Equal((float)(low + (high - low) * Philox.Uniform(seed, offset + (ulong)i)), y[i]);
    }

    [Theory]
    [InlineData(8, 7, 0xFFFF_FFFDUL)]
    [InlineData(0, 64, 3UL)]
    public void Normal_and_bernoulli_fills_use_the_same_counters(int misalign, int n, ulong offset)
    {
        const ulong seed = 9;
        float[] normal = Fill("fill_normal_f32", misalign, n, seed, offset, 2, 32, BitConverter.DoubleToUInt64Bits(0.5), BitConverter.DoubleToUInt64Bits(2));
        float[] coin = Fill("fill_bernoulli_f32", misalign, n, seed, offset, 2, 32, BitConverter.DoubleToUInt64Bits(0.3), PtxTestSupport.Bits(1.25f));
        for (int i = 0; i < n; i++)
        {
            ulong index = offset + (ulong)i;
            double expected = 0.5 + 2 * Philox.Normal(seed, index);
            Assert.True(Math.Abs(normal[i] - expected) <= 1e-6 * Math.Abs(expected) + 1e-7, $"normal[{i}] = {normal[i]}, expected {expected}");
            Assert.Equal(Philox.Uniform(seed, index) < 0.3 ? 1.25f : 0f, coin[i]);
        }
    }

    /// <summary>Launches <paramref name="entry"/> on y at <paramref name="misalign"/> bytes past a 16-byte boundary,
    /// with NaN canaries around it; returns y[0, n) after checking the canaries.</summary>
    private static float[] Fill(string entry, int misalign, int n, ulong seed, ulong offset, uint grid, uint block, ulong a, ulong b)
    {
        var memory = new PtxMemory();
        ulong start = memory.Allocate(4 * (n + 8) + 16) + 16 + (ulong)misalign;
        memory.Write<float>(start - 16, Enumerable.Repeat(float.NaN, n + 8).ToArray());
        PtxTestSupport.KernelModule("random.ptx").Kernel(entry).Launch(memory, grid, 1, block, 0, [start, (ulong)n, seed, offset, a, b]);
        Assert.All(memory.Read<float>(start - 16, 4), v => Assert.True(float.IsNaN(v), "written before y"));
        Assert.All(memory.Read<float>(start + 4 * (ulong)n, 4), v => Assert.True(float.IsNaN(v), "written past y[n - 1]"));
        return memory.Read<float>(start, n);
    }
}
