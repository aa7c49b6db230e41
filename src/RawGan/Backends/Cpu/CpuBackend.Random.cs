using System.Numerics;
using System.Runtime.InteropServices;
using RawGan.Tensors;

namespace RawGan.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void FillUniform(Tensor destination, ulong seed, ulong offset, double low, double high) =>
        FillDraws(destination, seed, offset, new UniformMap(low, high));

    public void FillNormal(Tensor destination, ulong seed, ulong offset, double mean, double std) =>
        FillDraws(destination, seed, offset, new NormalMap(mean, std));

    public void FillBernoulli(Tensor destination, ulong seed, ulong offset, double p, double value) =>
        FillDraws(destination, seed, offset, new BernoulliMap(Philox.UnitsBelow(p), value));

    /// <summary>A block of elements from their draws' words, as kernels/random.ptx computes each: in float64, rounded
    /// once to the tensor's type.</summary>
    private interface IDrawMap
    {
        bool NeedsSecondWord { get; }
        void Map<T>(ReadOnlySpan<uint> x0, ReadOnlySpan<uint> x1, Span<T> destination) where T : struct, IFloatingPoint<T>;
    }

    private readonly record struct UniformMap(double Low, double High) : IDrawMap
    {
        public bool NeedsSecondWord => false;

        public void Map<T>(ReadOnlySpan<uint> x0, ReadOnlySpan<uint> x1, Span<T> destination) where T : struct, IFloatingPoint<T>
        {
            for (int i = 0; i < destination.Length; i++) destination[i] = T.CreateTruncating(Low + (High - Low) * Philox.ToUnit(x0[i]));
        }
    }

    private readonly record struct NormalMap(double Mean, double Std) : IDrawMap
    {
        public bool NeedsSecondWord => true;

        public void Map<T>(ReadOnlySpan<uint> x0, ReadOnlySpan<uint> x1, Span<T> destination) where T : struct, IFloatingPoint<T>
        {
            for (int i = 0; i < destination.Length; i++) destination[i] = T.CreateTruncating(Mean + Std * Philox.BoxMuller(x0[i], x1[i]));
        }
    }

    /// <summary>unit(x0) &lt; p as the integer test (x0 >> 8) &lt; <paramref name="Below"/> (<see cref="Philox.UnitsBelow"/>),
    /// SIMD for float32: a dropout mask's compare is a coin flip, which as a branch mispredicts half the time.</summary>
    private readonly record struct BernoulliMap(uint Below, double Value) : IDrawMap
    {
        public bool NeedsSecondWord => false;

        public void Map<T>(ReadOnlySpan<uint> x0, ReadOnlySpan<uint> x1, Span<T> destination) where T : struct, IFloatingPoint<T>
        {
            int i = 0;
            if (typeof(T) == typeof(float))
            {
                Span<float> y = MemoryMarshal.Cast<T, float>(destination);
                Vector<uint> below = new(Below);
                Vector<float> value = new((float)Value);
                for (; i + Vector<uint>.Count <= y.Length; i += Vector<uint>.Count)
                {
                    Vector<uint> keep = Vector.LessThan(Vector.ShiftRightLogical(new Vector<uint>(x0[i..]), 8), below);
                    Vector.ConditionalSelect(Vector.AsVectorSingle(keep), value, Vector<float>.Zero).CopyTo(y[i..]);
                }
            }
            T kept = T.CreateTruncating(Value);
            for (; i < destination.Length; i++) destination[i] = x0[i] >> 8 < Below ? kept : T.Zero;
        }
    }

    /// <summary>Element i is drawn from counter offset + i. Draws are independent of each other (counter-based), so
    /// chunks fill in parallel with identical results; each chunk draws its words a block at a time.</summary>
    private static void FillDraws<TMap>(Tensor destination, ulong seed, ulong offset, TMap map) where TMap : struct, IDrawMap
    {
        switch (Data(destination))
        {
            case float[] f: CpuParallel.For(f.Length, 1 << 14, (lo, hi) => FillRange(f.AsSpan((int)lo, (int)(hi - lo)), seed, offset + (ulong)lo, map)); break;
            case double[] d: CpuParallel.For(d.Length, 1 << 14, (lo, hi) => FillRange(d.AsSpan((int)lo, (int)(hi - lo)), seed, offset + (ulong)lo, map)); break;
            default: throw new InvalidOperationException($"Random fills need a floating-point tensor, not {destination.DType.Name()}.");
        }
    }

    private static void FillRange<T, TMap>(Span<T> destination, ulong seed, ulong first, TMap map)
        where T : struct, IFloatingPoint<T> where TMap : struct, IDrawMap
    {
        const int Block = 1024;
        Span<uint> x0 = stackalloc uint[Block], x1 = stackalloc uint[map.NeedsSecondWord ? Block : 0];
        for (int start = 0; start < destination.Length; start += Block)
        {
            int n = Math.Min(Block, destination.Length - start);
            Span<uint> second = map.NeedsSecondWord ? x1[..n] : default;
            Philox.DrawMany(seed, first + (ulong)start, x0[..n], second);
            map.Map<T>(x0[..n], second, destination.Slice(start, n));
        }
    }
}
