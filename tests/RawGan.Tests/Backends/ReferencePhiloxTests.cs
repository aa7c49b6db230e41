using RawGan.Backends.Cpu;
using RawGan.Backends.Cpu.Reference;
using RawGan.Tensors;

namespace RawGan.Tests.Backends;

/// <summary>The reference Philox against published known answers, and the fast generator (scalar, AVX2, and the
/// backend's fills) against the reference: the expected values never come from the code under test.</summary>
public class ReferencePhiloxTests
{
    [Theory] // Random123's kat_vectors for philox4x32 with 10 rounds: counter words, key words, output words.
    [InlineData(0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
    [InlineData(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)]
    [InlineData(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u, 0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u)]
    public void The_reference_block_gives_random123s_known_answers(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1,
                                                                   uint y0, uint y1, uint y2, uint y3) =>
        Assert.Equal((y0, y1, y2, y3), ReferencePhilox.Block(c0, c1, c2, c3, k0, k1));

    [Fact]
    public void Units_are_the_top_24_bits_plus_a_half_over_2_to_the_24()
    {
        // By hand: 0x6627e8d5 >> 8 = 0x6627e8 = 6,694,888, so the unit is 6,694,888.5 / 16,777,216.
        Assert.Equal(6_694_888.5 / 16_777_216, Philox.ToUnit(0x6627e8d5));
        Assert.Equal(0.5 / 16_777_216, Philox.ToUnit(0x000000ff));          // the smallest: never 0
        Assert.Equal(1 - 0.5 / 16_777_216, Philox.ToUnit(0xffffffff));      // the largest: never 1
        Assert.Equal(0.5 + 0.5 / 16_777_216, Philox.ToUnit(0x80000000));
        Assert.Equal(6_694_888.5 / 16_777_216, Philox.Uniform(0, 0));       // the first known answer's first word
        foreach (uint w in new[] { 0u, 0xffu, 0x100u, 0x12345678u, 0x80000000u, 0xffffffffu })
            Assert.Equal(ReferencePhilox.Unit(w), Philox.ToUnit(w));
    }

    [Theory]
    [InlineData(0UL, 0UL)]
    [InlineData(0xDEADBEEFCAFEUL, 0xFFFF_FFF0UL)] // the counter's low word carries into the high word
    [InlineData(42UL, ulong.MaxValue - 20)]       // and wraps at 2^64
    public void The_fast_generator_draws_the_reference_words(ulong seed, ulong first)
    {
        const int n = 45; // five blocks of eight counters and a remainder
        uint[] x0 = new uint[n], x1 = new uint[n];
        Philox.DrawMany(seed, first, x0, x1);
        for (int i = 0; i < n; i++)
        {
            (uint, uint) expected = ReferencePhilox.Draw(seed, first + (ulong)i);
            Assert.Equal(expected, (x0[i], x1[i]));
            Assert.Equal(expected, Philox.Draw(seed, first + (ulong)i));
        }
    }

    [Theory]
    [InlineData(0.4, 2.5)]
    [InlineData(0.8, 1.25)]
    public void The_fast_bernoulli_fill_keeps_the_draws_whose_reference_unit_is_below_p(double p, double value)
    {
        const int n = 40_003; // two parallel chunks, blocks of 1,024 words, a SIMD remainder
        foreach (DType dtype in new[] { DType.Float32, DType.Float64 })
        {
            Tensor mask = Tensor.Empty(new Shape(n), dtype, CpuBackend.Default);
            CpuBackend.Default.FillBernoulli(mask, 9, 1000, p, value);
            double[] actual = mask.ToDoubleArray();
            for (int i = 0; i < n; i++)
                Assert.Equal(ReferencePhilox.Unit(ReferencePhilox.Draw(9, 1000 + (ulong)i).X0) < p ? value : 0, actual[i]);
        }
    }
}
