using RawGan.GpuEmulator.Ptx;

namespace RawGan.Tests.Backends;

/// <summary>elementwise.ptx's broadcast entries at the edges the backend's own tensors never reach (its buffers are
/// 256-byte aligned and a quad-path operand's offsets are multiples of 4): operands and output at every 4-byte
/// misalignment, on the quad path (innermost size a multiple of 4) and the element path, with a grid that wraps.
/// Each output is one correctly rounded operation, so the answer is exact.</summary>
public class PtxBroadcastKernelTests
{
    [Theory]
    [InlineData(0, 0, 0, 16)]   // quad path, all aligned: 16-byte loads and stores
    [InlineData(4, 8, 12, 16)]  // quad path, nothing aligned: scalar accesses
    [InlineData(0, 4, 0, 8)]    // quad path, the bias misaligned (one load per quad either way)
    [InlineData(8, 0, 4, 6)]    // element path
    public void Bias_add_and_div_over_n_c_s(int misalignX, int misalignBias, int misalignY, int s)
    {
        const int n = 3, c = 5;
        int total = n * c * s;
        float[] x = [.. Enumerable.Range(0, total).Select(i => (i % 11 - 5) * 0.25f + i * 1e-3f)];
        float[] bias = [.. Enumerable.Range(0, c).Select(i => 0.5f + i)];
        var memory = new PtxMemory();
        ulong px = memory.Allocate(4 * total + 16) + (ulong)misalignX;
        ulong pb = memory.Allocate(4 * c + 16) + (ulong)misalignBias;
        ulong py = memory.Allocate(4 * total + 32) + (ulong)misalignY;
        memory.Write<float>(px, x);
        memory.Write<float>(pb, bias);
        foreach ((string entry, Func<float, float, float> op) in new (string, Func<float, float, float>)[] { ("add_bcast_f32", (a, b) => a + b), ("div_bcast_f32", (a, b) => a / b) })
        {
            memory.Write<float>(py, Enumerable.Repeat(float.NaN, total + 4).ToArray());
            // c = [1, n, c, s]; x contiguous, bias [1, c, 1] read with strides (0, 0, 1, 0).
            PtxTestSupport.KernelModule("elementwise.ptx").Kernel(entry).Launch(memory, 2, 1, 32, 0,
                [px, pb, py, 1, (ulong)n, (ulong)c, (ulong)s, 0, (ulong)(c * s), (ulong)s, 1, 0, 0, 1, 0]);
            float[] y = memory.Read<float>(py, total);
            for (int i = 0; i < total; i++) Assert.Equal(op(x[i], bias[i / s % c]), y[i]);
            Assert.True(float.IsNaN(memory.Read<float>(py + 4 * (ulong)total, 1)[0]), "written past the output");
        }
    }
}
