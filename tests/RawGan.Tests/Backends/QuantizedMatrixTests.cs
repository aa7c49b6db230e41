using RawGan.Backends;
using RawGan.Backends.Cpu;

namespace RawGan.Tests.Backends;

/// <summary>Weight-only quantisation (<see cref="QuantizedMatrix"/>): known answers for int8 per channel and bf16,
/// and <see cref="SgemmThinQuantized"/> against the product with the dequantised weights in double precision, on
/// thin and wide C, partial row blocks, depths across its slices, one and two threads.</summary>
public unsafe class QuantizedMatrixTests
{
    [Fact]
    public void Int8_scales_each_channel_by_its_largest_magnitude()
    {
        // Two channels of two columns each: channel 0's largest |w| is 127 (scale 1), channel 1's is 4 (scale 4/127).
        float[] a = [1, -2, 0.5f, 4, -127, 0, 2, 1];
        QuantizedMatrix q = QuantizedMatrix.Quantize(a, 2, 4, group: 2, Quantization.Int8);
        float s = 4f / 127;
        float[] expected = [1, -2, 16 * s, 127 * s, -127, 0, 64 * s, 32 * s]; // 0.5/s = 15.9 → 16, 2/s = 63.5 → 64 (to even)
        for (int e = 0; e < a.Length; e++) Assert.Equal(expected[e], q.Dequantized(e / 4, e % 4), 6);
    }

    [Fact]
    public void Bf16_keeps_the_top_16_bits_rounded_to_nearest_even()
    {
        Assert.Equal(0x3F80, QuantizedMatrix.ToBf16(1f));
        Assert.Equal(0x3F80, QuantizedMatrix.ToBf16(BitConverter.UInt32BitsToSingle(0x3F808000))); // a tie: to the even 0x3F80
        Assert.Equal(0x3F82, QuantizedMatrix.ToBf16(BitConverter.UInt32BitsToSingle(0x3F818000))); // a tie: to the even 0x3F82
        Assert.Equal(0x3F81, QuantizedMatrix.ToBf16(BitConverter.UInt32BitsToSingle(0x3F808001)));
        Assert.Equal(0xBF80, QuantizedMatrix.ToBf16(-1f));
        Assert.Equal(1f, QuantizedMatrix.FromBf16(0x3F80));
        Assert.Equal(-2.5f, QuantizedMatrix.FromBf16(QuantizedMatrix.ToBf16(-2.5f)));
        Assert.True(float.IsNaN(QuantizedMatrix.FromBf16(QuantizedMatrix.ToBf16(float.NaN))));
        QuantizedMatrix q = QuantizedMatrix.Quantize([1f, 3.140625f, -0.1f], 1, 3, group: 1, Quantization.Bf16);
        Assert.Equal(3.140625f, q.Dequantized(0, 1)); // exactly representable in bf16
        Assert.Equal(QuantizedMatrix.FromBf16(QuantizedMatrix.ToBf16(-0.1f)), q.Dequantized(0, 2));
    }

    [Fact]
    public void Bad_shapes_are_refused()
    {
        Assert.Throws<ArgumentException>(() => QuantizedMatrix.Quantize(new float[6], 2, 4, 2, Quantization.Int8));
        Assert.Throws<ArgumentException>(() => QuantizedMatrix.Quantize(new float[8], 2, 4, 3, Quantization.Int8));
        Assert.Throws<ArgumentException>(() => QuantizedMatrix.Quantize(new float[8], 2, 4, 2, Quantization.None));
    }

    [Theory]
    [InlineData(Quantization.Int8, 48, 16, 64, 1)]
    [InlineData(Quantization.Int8, 37, 5, 300, 2)]   // a partial row block, a depth of three slices
    [InlineData(Quantization.Int8, 64, 64, 130, 2)]  // four column panels
    [InlineData(Quantization.Int8, 32, 80, 40, 2)]   // wide: the dequantised float32 path
    [InlineData(Quantization.Bf16, 48, 16, 64, 1)]
    [InlineData(Quantization.Bf16, 37, 21, 300, 2)]
    [InlineData(Quantization.Bf16, 32, 80, 40, 1)]
    public void Product_is_the_dequantised_weights_product(Quantization kind, int m, int n, int k, int threads)
    {
        var rng = new Random(m * 1000 + n * 10 + k);
        float[] a = [.. Enumerable.Range(0, k * m).Select(_ => (float)(rng.NextDouble() * 2 - 1))];
        float[] b = [.. Enumerable.Range(0, k * n).Select(_ => (float)(rng.NextDouble() * 2 - 1))];
        QuantizedMatrix q = QuantizedMatrix.Quantize(a, k, m, group: m % 4 == 0 ? 4 : 1, kind);
        var c = new float[m * n];
        fixed (float* pb = b, pc = c)
            SgemmThinQuantized.Multiply(m, n, k, q, false, pb, n, pc, n, threads);

        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0, magnitude = 0;
                for (int p = 0; p < k; p++)
                {
                    double term = (double)q.Dequantized(p, i) * b[p * n + j];
                    sum += term;
                    magnitude += Math.Abs(term);
                }
                Assert.True(Math.Abs(c[i * n + j] - sum) <= 1e-5 * magnitude + 1e-6, $"C[{i},{j}] = {c[i * n + j]}, expected {sum}");
            }
        // The quantisation is real: the dequantised weights differ from the originals (the check above is not of a float32 product).
        Assert.Contains(Enumerable.Range(0, k * m), e => q.Dequantized(e / m, e % m) != a[e]);
    }
}
