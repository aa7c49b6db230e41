using RawGan.Backends;
using RawGan.Backends.Cpu;
using RawGan.Tensors;

namespace RawGan.Tests.Backends;

/// <summary>The CPU backend gives the same bits on every run: its parallel sums are split and added in a fixed
/// order, never in the order threads happen to finish (a resumed run must match an uninterrupted one exactly).</summary>
public class DeterminismTests
{
    [Fact]
    public void Filter_gradients_summed_over_many_image_groups_are_the_same_every_time()
    {
        // Small images in a large batch: many groups of images, dealt to the threads, each summing into its own slot.
        var g = new ConvGeometry(N: 64, C: 8, H: 8, W: 8, K: 16, R: 3, S: 3, StrideH: 1, StrideW: 1, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1);
        Assert.True(ConvGroups.Plan(g).PerThread || CpuParallel.Threads == 1, "the geometry should take the per-thread path");
        Tensor x = Tensor.Randn(new Shape(g.InputShape), new Generator(1)), dy = Tensor.Randn(new Shape(g.OutputShape), new Generator(2));
        float[] first = FilterGradient(g, x, dy);
        for (int run = 0; run < 8; run++) Assert.Equal(first, FilterGradient(g, x, dy));
    }

    private static float[] FilterGradient(ConvGeometry g, Tensor x, Tensor dy)
    {
        Tensor dw = Tensor.Empty(new Shape(g.WeightShape));
        CpuBackend.Default.Conv2dBackwardFilter(g, x, dy, dw);
        return dw.ToFloatArray();
    }
}
