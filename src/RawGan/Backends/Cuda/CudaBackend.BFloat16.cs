using static RawGan.Backends.Cuda.CudaCheck;

namespace RawGan.Backends.Cuda;

/// <summary>The entries of kernels/cast.ptx, in its parameter order.</summary>
internal static class CastKernels
{
    public const string File = "cast.ptx";

    /// <summary>cast_f32_bf16(.u64 x, .u64 y, .u64 n): y (bfloat16, ceil(n/2) words) = x rounded to nearest even.</summary>
    public static readonly KernelSpec ToBFloat16 = new(File, "cast_f32_bf16", "u64", "u64", "u64");

    /// <summary>cast_bf16_f32(.u64 x, .u64 y, .u64 n): y (float32) = x (bfloat16), exactly.</summary>
    public static readonly KernelSpec FromBFloat16 = new(File, "cast_bf16_f32", "u64", "u64", "u64");
}

/// <summary>
/// The bfloat16 boundary of <see cref="Backends.Precision.Bf16"/>. Activations, weights and gradients stay float32 in
/// memory; a GEMM or convolution casts its operands into bfloat16 scratch buffers, runs on bfloat16 tensor cores with
/// float32 accumulation, and a convolution widens its bfloat16 result back (a GEMM writes float32 directly). Weights
/// are cast on every call (they are small beside the activations).
/// Why not bfloat16 activations throughout, as autocast keeps them between convolutions? Every kernel between the
/// products (batch norm, the activations, the bias, the losses) would need a bfloat16 twin, and the storage a
/// bfloat16 dtype; casting at the boundary changes the products only, so the rest of the backend, its conformance
/// and its float32 batch-norm statistics stay as they are. The price is memory traffic: each convolution pass casts
/// its two activation operands (6 bytes an element each way: 4 read + 2 written, or 2 + 4), and the kernels between
/// move float32 where autocast moves bfloat16. For a DCGAN-64 step that is about 3·(in + out) cast elements per layer
/// per use, some 360 M elements (2.2 GB) at batch 128: about 0.5 ms at 4 TB/s against PyTorch's 7.7 ms bf16 step,
/// but 4.4 ms at batch 1024 against its 12.3 ms, so at large batches bfloat16-resident activations are the next step
/// if the bench phase of tools/gpu/run-all.sh shows the boundary costing the 1.2× target.
/// No loss scaling, unlike float16 autocast: bfloat16 has float32's exponent range (see <see cref="Backends.Precision.Bf16"/>).
/// </summary>
public sealed partial class CudaBackend
{
    /// <summary>A scratch buffer holding <paramref name="n"/> float32 values at <paramref name="source"/> rounded to
    /// bfloat16 (packed two to a word).</summary>
    internal ScratchBuffer ToBFloat16(ulong source, long n)
    {
        ScratchBuffer b = BFloat16Scratch(n);
        ToBFloat16(source, b.Pointer, n);
        return b;
    }

    /// <summary>destination (bfloat16, ceil(n/2) words) = the <paramref name="n"/> float32 values at
    /// <paramref name="source"/>, rounded to nearest even.</summary>
    internal void ToBFloat16(ulong source, ulong destination, long n)
    {
        if (n > 0)
            Kernels.Launch(CastKernels.ToBFloat16, Grid((n + 1) / 2), Block, KernelArg.U64(source), KernelArg.U64(destination), KernelArg.U64(n));
    }

    /// <summary>A scratch buffer for <paramref name="n"/> bfloat16 values (whole 32-bit words, as the cast kernels
    /// write them).</summary>
    internal ScratchBuffer BFloat16Scratch(long n) => Scratch((n + 1) / 2 * 4);

    /// <summary>destination (float32) = the <paramref name="n"/> bfloat16 values at <paramref name="source"/>.</summary>
    internal void FromBFloat16(ulong source, ulong destination, long n)
    {
        if (n > 0)
            Kernels.Launch(CastKernels.FromBFloat16, Grid((n + 1) / 2), Block, KernelArg.U64(source), KernelArg.U64(destination), KernelArg.U64(n));
    }

    /// <summary>The bfloat16 GEMM: <see cref="Gemm"/>'s column-major mapping, on operands rounded to bfloat16,
    /// accumulated in float32 into a float32 C (cublasGemmEx: CUDA_R_16BF inputs, CUBLAS_COMPUTE_32F).</summary>
    private unsafe void GemmBFloat16(bool transA, bool transB, int m, int n, int k, float alpha, ulong a, int lda, ulong b, int ldb,
        float beta, ulong c)
    {
        using ScratchBuffer ab = ToBFloat16(a, (long)m * k), bb = ToBFloat16(b, (long)k * n);
        lock (Resources.LibraryGate)
        {
            // The math mode does not matter to cublasGemmEx on bfloat16 (its types choose the tensor cores); the
            // default keeps the handle in a known state for the FP32 backend sharing it.
            Resources.SetCublasMathMode(Interop.Cublas.DefaultMath);
            CheckCublas(Api.cublasGemmEx(Resources.Cublas,
                transB ? Interop.Cublas.OpT : Interop.Cublas.OpN,
                transA ? Interop.Cublas.OpT : Interop.Cublas.OpN,
                n, m, k, &alpha, bb.Pointer, Interop.Cublas.DataBFloat16, ldb, ab.Pointer, Interop.Cublas.DataBFloat16, lda,
                &beta, c, Interop.Cublas.DataFloat, n, Interop.Cublas.Compute32F, Interop.Cublas.GemmDefault));
        }
    }
}
