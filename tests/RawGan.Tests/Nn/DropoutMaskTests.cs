using RawGan.Nn;
using RawGan.Tensors;

namespace RawGan.Tests.Nn;

/// <summary>Dropout draws a fresh mask at every call: successive calls (and so successive training steps) differ,
/// each with keep rate 1 - p and kept values scaled by exactly 1/(1 - p).</summary>
public class DropoutMaskTests
{
    private const int N = 20_000;

    private static float[] Mask(Dropout d) => d.Forward(Tensor.Ones(new Shape(N))).ToFloatArray();

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.2)]
    public void Successive_calls_draw_new_masks_with_the_keep_rate_and_scale(double p)
    {
        var generator = new Generator(11);
        var d = new Dropout(p, generator);
        float scale = (float)(1 / (1 - p));
        float[][] masks = [Mask(d), Mask(d), Mask(d)];
        Assert.Equal(3UL * N, generator.Offset); // each call consumes one draw per element
        foreach (float[] m in masks)
        {
            Assert.All(m, v => Assert.True(v == 0 || v == scale, $"mask value {v}, expected 0 or {scale}"));
            // The kept fraction is binomial: 1 - p ± 5 standard deviations of the mean.
            double kept = m.Count(v => v != 0) / (double)N, sd = Math.Sqrt(p * (1 - p) / N);
            Assert.InRange(kept, 1 - p - 5 * sd, 1 - p + 5 * sd);
        }
        // Independent masks agree on about p² + (1-p)² of the positions; the same mask agrees everywhere.
        for (int i = 0; i < masks.Length; i++)
        for (int j = i + 1; j < masks.Length; j++)
        {
            double agree = masks[i].Zip(masks[j], (a, b) => a == b).Count(e => e) / (double)N;
            Assert.InRange(agree, p * p + (1 - p) * (1 - p) - 0.03, p * p + (1 - p) * (1 - p) + 0.03);
        }
    }

    [Fact]
    public void A_generator_restored_to_an_offset_repeats_that_mask_and_no_other()
    {
        var generator = new Generator(12);
        var d = new Dropout(0.5, generator);
        float[] first = Mask(d);
        ulong second = generator.Offset;
        float[] next = Mask(d);
        generator.Restore(second); // what resuming from a checkpoint does
        Assert.Equal(next, Mask(d));
        Assert.NotEqual(first, next);
    }
}
