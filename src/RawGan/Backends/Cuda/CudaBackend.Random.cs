using RawGan.Tensors;
using static RawGan.Backends.Cuda.KernelArg;

namespace RawGan.Backends.Cuda;

/// <summary>The bindings of kernels/random.ptx: Philox4x32-10 fills, element i from counter offset + i under key
/// seed, computed in float64 and rounded once, as <see cref="Philox"/> and the CPU backend do.</summary>
internal static class RandomKernels
{
    public const string File = "random.ptx";

    /// <summary>fill_uniform_f32(.u64 y, .u64 n, .u64 seed, .u64 offset, .f64 low, .f64 high).</summary>
    public static readonly KernelSpec Uniform = new(File, "fill_uniform_f32", "u64", "u64", "u64", "u64", "f64", "f64");

    /// <summary>fill_normal_f32(.u64 y, .u64 n, .u64 seed, .u64 offset, .f64 mean, .f64 std).</summary>
    public static readonly KernelSpec Normal = new(File, "fill_normal_f32", "u64", "u64", "u64", "u64", "f64", "f64");

    /// <summary>fill_bernoulli_f32(.u64 y, .u64 n, .u64 seed, .u64 offset, .f64 p, .f32 value).</summary>
    public static readonly KernelSpec Bernoulli = new(File, "fill_bernoulli_f32", "u64", "u64", "u64", "u64", "f64", "f32");

    /// <summary>fill_random_at_f32(.u64 y, .u64 n, .u64 seed, .u64 offset_at, .f64 a, .f64 b, .f32 value, .u32 kind):
    /// the fills above with the offset read from device memory, for captured steps (CudaGraph's GraphInputs).</summary>
    public static readonly KernelSpec At = new(File, "fill_random_at_f32", "u64", "u64", "u64", "u64", "f64", "f64", "f32", "u32");
}

public sealed partial class CudaBackend
{
    public void FillUniform(Tensor destination, ulong seed, ulong offset, double low, double high) =>
        FillRandom(RandomKernels.Uniform, destination, seed, offset, F64(low), F64(high));

    public void FillNormal(Tensor destination, ulong seed, ulong offset, double mean, double std) =>
        FillRandom(RandomKernels.Normal, destination, seed, offset, F64(mean), F64(std));

    public void FillBernoulli(Tensor destination, ulong seed, ulong offset, double p, double value) =>
        FillRandom(RandomKernels.Bernoulli, destination, seed, offset, F64(p), F32((float)value));

    private void FillRandom(KernelSpec spec, Tensor destination, ulong seed, ulong offset, KernelArg a, KernelArg b)
    {
        if (!destination.DType.IsFloatingPoint())
            throw new InvalidOperationException($"Random fills need a floating-point tensor, not {destination.DType.Name()}.");
        RequireFloat32("random fill", destination);
        long n = destination.Numel;
        if (n == 0) return;
        if (Resources.Capture is { } capture)
        {
            // A captured fill reads its offset from the graph's inputs; the bernoulli value moves to its own argument.
            bool bernoulli = spec == RandomKernels.Bernoulli;
            uint kind = spec == RandomKernels.Uniform ? 0u : spec == RandomKernels.Normal ? 1u : 2u;
            Kernels.Launch(RandomKernels.At, QuadGrid(n), Block, U64(Ptr(destination)), U64(n), U64(seed), U64(capture.RandomOffset(seed, offset)),
                a, bernoulli ? F64(0) : b, bernoulli ? b : F32(0f), U32(kind));
            return;
        }
        Kernels.Launch(spec, QuadGrid(n), Block, U64(Ptr(destination)), U64(n), U64(seed), U64(offset), a, b);
    }
}
