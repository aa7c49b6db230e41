using RawGan.Tensors;

namespace RawGan.Tests.Tensors;

public class PhiloxTests
{
    [Fact]
    public void Draws_match_the_known_answers()
    {
        // Random123's philox4x32-10 known answer (counter 0, key 0), and the one kernels/random.ptx quotes.
        Assert.Equal((0x6627e8d5u, 0xe169c58du), Philox.Draw(0, 0));
        Assert.Equal((0xfcdb2127u, 0x53ba6cfdu), Philox.Draw(42, 1));
    }

    [Theory]
    [InlineData(0UL, 0UL, 1)]
    [InlineData(7UL, 3UL, 61)]                      // not a multiple of the eight counters drawn at a time
    [InlineData(0xDEADBEEFCAFEUL, 0xFFFF_FFF0UL, 40)] // the counter's low word carries into its high word
    [InlineData(42UL, ulong.MaxValue - 9, 24)]       // and the counter wraps at 2^64
    public void Drawing_many_gives_the_words_of_single_draws(ulong seed, ulong first, int count)
    {
        uint[] x0 = new uint[count], x1 = new uint[count], only = new uint[count];
        Philox.DrawMany(seed, first, x0, x1);
        Philox.DrawMany(seed, first, only, default);
        for (int i = 0; i < count; i++)
        {
            Assert.Equal(Philox.Draw(seed, first + (ulong)i), (x0[i], x1[i]));
            Assert.Equal(x0[i], only[i]);
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1e-9)]
    [InlineData(0.3)]
    [InlineData(0.5)]
    [InlineData(0.5 + 0.5 / (1 << 24))] // exactly unit(2^23 << 8): that word is not below
    [InlineData(1.0)]
    [InlineData(2.0)]
    [InlineData(double.NaN)]
    public void Units_below_p_are_exactly_a_prefix_of_the_words(double p)
    {
        uint below = Philox.UnitsBelow(p);
        if (below > 0) Assert.True(Philox.ToUnit((below - 1) << 8) < p);
        if (below < 1u << 24) Assert.False(Philox.ToUnit(below << 8) < p);
    }
}
