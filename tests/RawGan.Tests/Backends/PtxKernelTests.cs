using System.Diagnostics;
using RawGan.GpuEmulator.Ptx;

namespace RawGan.Tests.Backends;

/// <summary>Real kernels from kernels/*.ptx run end to end in the interpreter against known answers.</summary>
public class PtxKernelTests(ITestOutputHelper output)
{
    private static float[] Ramp(int n) => [.. Enumerable.Range(0, n).Select(i => (i % 7 - 3) * 0.5f + i * 1e-3f)];

    [Theory]
    [InlineData(0)]   // 16-byte aligned: v4 path for all but the ragged last quad
    [InlineData(4)]   // misaligned: scalar path everywhere
    public void Relu_forward_on_1000_elements(int misalign)
    {
        const int n = 1000;
        float[] x = Ramp(n);
        var memory = new PtxMemory();
        ulong px = memory.Allocate(4 * n + 16) + (ulong)misalign, py = memory.Allocate(4 * n + 16) + (ulong)misalign;
        memory.Write<float>(px, x);
        memory.Write<float>(py, Enumerable.Repeat(float.NaN, n + 3).ToArray());
        PtxKernel relu = PtxTestSupport.KernelModule("elementwise.ptx").Kernel("relu_fwd_f32");
        relu.Launch(memory, 1, 1, 256, 0, [px, py, n, PtxTestSupport.Bits(0f)]);
        float[] y = memory.Read<float>(py, n);
        for (int i = 0; i < n; i++) Assert.Equal(x[i] > 0 ? x[i] : 0f, y[i]);
        Assert.True(float.IsNaN(memory.Read<float>(py + 4 * n, 1)[0])); // nothing written past n
    }

    [Fact]
    public void Relu_forward_in_place_with_a_multi_block_grid()
    {
        const int n = 5003;
        float[] x = Ramp(n);
        var memory = new PtxMemory();
        ulong p = memory.Upload<float>(x);
        PtxTestSupport.KernelModule("elementwise.ptx").Kernel("relu_fwd_f32").Launch(memory, 3, 1, 64, 0, [p, p, n, 0]);
        float[] y = memory.Read<float>(p, n);
        for (int i = 0; i < n; i++) Assert.Equal(Math.Max(x[i], 0f), y[i]);
    }

    [Fact]
    public void Fill_writes_the_bit_pattern_and_nothing_else()
    {
        const int n = 1000;
        var memory = new PtxMemory();
        ulong y = memory.Allocate(4 * (n + 3));
        memory.Write<uint>(y, Enumerable.Repeat(0xDEADBEEFu, n + 3).ToArray());
        PtxTestSupport.KernelModule("elementwise.ptx").Kernel("fill_f32").Launch(memory, 1, 1, 256, 0, [y, n, 0x3FC00000]);
        uint[] words = memory.Read<uint>(y, n + 3);
        Assert.All(words[..n], w => Assert.Equal(0x3FC00000u, w));
        Assert.All(words[n..], w => Assert.Equal(0xDEADBEEFu, w));
    }

    /// <summary>The two-pass sum of reduce.ptx: pass 1 with G = min(ceil(n/1024), 1024) blocks into partial[G], pass 2
    /// with one block. Integers make the float sum exact, so the answer is known in any order.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(1000)]
    [InlineData(100_003)]
    public void Sum_blocks_two_pass_total(int n)
    {
        float[] x = [.. Enumerable.Range(0, n).Select(i => (float)(i % 201 - 100))];
        double expected = x.Sum(v => (double)v);
        var memory = new PtxMemory();
        ulong px = memory.Upload<float>(x);
        uint blocks = (uint)Math.Min((n + 1023) / 1024, 1024);
        ulong partial = memory.Allocate(4 * blocks), total = memory.Allocate(4);
        PtxKernel sum = PtxTestSupport.KernelModule("reduce.ptx").Kernel("sum_blocks_f32");
        var watch = Stopwatch.StartNew();
        PtxLaunchStats first = sum.Launch(memory, blocks, 1, 256, 0, [px, partial, (ulong)n]);
        sum.Launch(memory, 1, 1, 256, 0, [partial, total, blocks]);
        watch.Stop();
        Assert.Equal(expected, memory.Read<float>(total, 1)[0]);
        output.WriteLine($"n = {n}: {first.Instructions} instructions in pass 1; both passes {watch.Elapsed.TotalMilliseconds:F1} ms");
    }

    [Fact]
    public void Sum_blocks_partials_are_per_block()
    {
        const int n = 3000; // blocks of 256 threads × quads: block b sums quads b·256 + t + k·768
        float[] x = [.. Enumerable.Range(0, n).Select(i => 1f)];
        var memory = new PtxMemory();
        ulong px = memory.Upload<float>(x), partial = memory.Allocate(12);
        PtxTestSupport.KernelModule("reduce.ptx").Kernel("sum_blocks_f32").Launch(memory, 3, 1, 256, 0, [px, partial, n]);
        Assert.Equal([1024f, 1024f, 952f], memory.Read<float>(partial, 3));
    }

    [Fact]
    public void Interpreter_speed()
    {
        const int n = 100_000;
        var memory = new PtxMemory();
        ulong x = memory.Upload<float>(Ramp(n)), y = memory.Allocate(4 * n);
        PtxModule module = PtxTestSupport.KernelModule("elementwise.ptx");
        module.Kernel("exp_fwd_f32").Launch(memory, 8, 1, 256, 0, [x, y, n, 0]); // warm up the JIT
        var watch = Stopwatch.StartNew();
        PtxLaunchStats stats = module.Kernel("exp_fwd_f32").Launch(memory, 98, 1, 256, 0, [x, y, n, 0]);
        watch.Stop();
        double rate = stats.Instructions / watch.Elapsed.TotalSeconds;
        output.WriteLine($"exp_fwd_f32 on {n} elements: {stats.Instructions} instructions in {watch.Elapsed.TotalMilliseconds:F0} ms = {rate / 1e6:F1} M instructions/s");
        Assert.True(stats.Instructions > 30L * n);
    }
}
