using RawGan.Backends.Cpu;
using RawGan.Backends.Cpu.Reference;
using RawGan.Backends.Cuda;
using RawGan.GpuEmulator;
using RawGan.Tensors;

namespace RawGan.Tests.Cuda;

/// <summary>kernels/cast.ptx (on the emulated GPU), its CPU twin <see cref="BFloat16Rounding"/> and the value-level
/// reference <see cref="ReferenceBFloat16"/> round float32 to bfloat16 alike: to nearest, ties to even, overflow to
/// infinity, subnormals kept, NaN kept; and widening back is exact.</summary>
[Collection(nameof(EmulatedGpu))]
public class BFloat16CastTests
{
    private static readonly float[] Special =
    [
        0f, -0f, 1f, -1f, 3.14159265f, -2.71828183f, 65504f, 1e-3f, -1e10f,
        1 + 1f / 256, 1 + 3f / 256, -(1 + 1f / 256), 1 + 1f / 256 + 1f / (1 << 20), 1 + 1f / 256 - 1f / (1 << 20), // ties and near-ties
        float.Epsilon, -float.Epsilon, MathF.ScaleB(1, -133), MathF.ScaleB(3, -134), MathF.ScaleB(1, -126), 1e-40f, // subnormals
        BitConverter.UInt32BitsToSingle(0x7F7F0000), BitConverter.UInt32BitsToSingle(0x7F7F7FFF), BitConverter.UInt32BitsToSingle(0x7F7F8000),
        float.MaxValue, -float.MaxValue, float.PositiveInfinity, float.NegativeInfinity, float.NaN,
    ];

    [Fact]
    public void The_cpu_twin_rounds_as_the_value_level_reference_on_special_and_random_values()
    {
        var g = new Generator(17);
        IEnumerable<float> random = Enumerable.Range(0, 200_000).Select(_ => BitConverter.UInt32BitsToSingle((uint)(g.NextUniform() * uint.MaxValue)));
        foreach (float x in Special.Concat(random))
        {
            double expected = ReferenceBFloat16.Round(x);
            float actual = BFloat16Rounding.Round(x);
            if (double.IsNaN(expected)) Assert.True(float.IsNaN(actual), $"{x}: NaN expected");
            else Assert.True(expected.Equals((double)actual), $"{x:R} (0x{BitConverter.SingleToUInt32Bits(x):X8}): reference {expected:R}, twin {actual:R}");
        }
        Assert.Equal(1f, BFloat16Rounding.Round(1 + 1f / 256));                 // a tie goes to the even neighbour...
        Assert.Equal(1 + 1f / 64, BFloat16Rounding.Round(1 + 3f / 256));        // ...up as well as down
        Assert.Equal(float.PositiveInfinity, BFloat16Rounding.Round(float.MaxValue));
        Assert.Equal(0x7FFF, BFloat16Rounding.ToBits(float.NaN));
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 0)]
    [InlineData(7, 0)]
    [InlineData(1001, 0)]
    [InlineData(1000, 1)] // source not 8-byte aligned: the scalar loads
    public void The_kernels_round_as_the_cpu_twin_and_widen_exactly(int n, int offset)
    {
        CudaBackend b = EmulatedGpu.Backend;
        using var scope = new TensorScope();
        var g = new Generator((ulong)n);
        float[] x = [.. Enumerable.Range(0, n + offset).Select(i => i < Special.Length ? Special[i] : (float)((g.NextUniform() - 0.5) * Math.Pow(2, 40 * (g.NextUniform() - 0.5))))];
        Tensor source = Tensor.FromSpan<float>(x, new Shape(x.Length), DType.Float32, b);
        ulong from = CudaBackend.Ptr(source) + (ulong)offset * 4;
        float[] input = x[offset..];

        using CudaBackend.ScratchBuffer packed = b.ToBFloat16(from, n);
        // One float more than n, and one not 8-byte aligned, so the last odd element and the scalar stores show.
        Tensor widened = Tensor.Full(new Shape(n + 2), -7, DType.Float32, b);
        b.FromBFloat16(packed.Pointer, CudaBackend.Ptr(widened) + (ulong)offset * 4, n);
        b.Synchronize();

        ushort[] bits = EmulatedGpu.Api.Memory.Read<ushort>(packed.Pointer, (n + 1) / 2 * 2);
        for (int i = 0; i < n; i++) Assert.True(BFloat16Rounding.ToBits(input[i]) == bits[i], $"element {i} ({input[i]:R}): kernel 0x{bits[i]:X4}, twin 0x{BFloat16Rounding.ToBits(input[i]):X4}");
        if (n % 2 == 1) Assert.Equal(0, bits[n]); // the pad of the last word
        float[] back = widened.ToFloatArray();
        for (int i = 0; i < n; i++) Assert.Equal(BitConverter.SingleToUInt32Bits(BFloat16Rounding.FromBits(bits[i])), BitConverter.SingleToUInt32Bits(back[offset + i]));
        Assert.Equal(-7f, back[offset + n]); // nothing written past n
        if (offset > 0) Assert.Equal(-7f, back[0]);
    }
}
