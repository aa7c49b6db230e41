using RawGan.Backends.Cuda;

namespace RawGan.GpuEmulator;

/// <summary>cublasSgemm (and cublasGemmEx on bfloat16 operands) by its definition: column-major
/// C[m, n] = alpha·op(A)·op(B) + beta·C, with op(A) [m, k] and op(B) [k, n]; element (i, j) of a matrix with
/// leading dimension ld is at (i + j·ld). cublasSgemm sums in float64.</summary>
internal sealed unsafe partial class EmulatedCudaApi
{
    /// <summary>Computes -alpha·op(A)·op(B) instead: a library that loads but computes wrongly, for the start-up check's test.</summary>
    public bool NegateGemm { get; init; }

    public int cublasGetVersion(nint handle, out int version)
    {
        version = 0;
        return Interop.Cublas.StatusSuccess;
    }

    private int _cublasMathMode = Interop.Cublas.DefaultMath;
    private readonly List<int> _gemmMathModes = [];

    /// <summary>The math mode in effect at each cublasSgemm, in call order: what a backend's precision asked of
    /// cuBLAS (the emulation itself sums in float64 whatever the mode); <see cref="BFloat16Gemm"/> for each
    /// cublasGemmEx on bfloat16 operands.</summary>
    public IReadOnlyList<int> GemmMathModes
    {
        get { lock (_gate) return [.. _gemmMathModes]; }
    }

    public int cublasSetMathMode(nint handle, int mode)
    {
        lock (_gate) _cublasMathMode = mode;
        return Interop.Cublas.StatusSuccess;
    }

    public int cublasSgemm(nint handle, int transa, int transb, int m, int n, int k, float* alpha, ulong a, int lda, ulong b, int ldb,
        float* beta, ulong c, int ldc) =>
        Gemm($"cublasSgemm(transa {transa}, transb {transb}, m {m}, n {n}, k {k}, lda {lda}, ldb {ldb}, ldc {ldc})",
            transa, transb, m, n, k, *alpha, a, lda, b, ldb, *beta, c, ldc, bfloat16: false);

    /// <summary>cublasGemmEx in the one configuration the backend uses beside FP32: bfloat16 A and B (CUDA_R_16BF,
    /// 2 bytes an element, leading dimensions in elements), float32 C, CUBLAS_COMPUTE_32F. Each product of two
    /// bfloat16 values is exact in float32; the sum is accumulated in float32, in order, as a tensor core's float32
    /// accumulator does (its order differs; the conformance tolerances cover any order). Other types are refused.</summary>
    public int cublasGemmEx(nint handle, int transa, int transb, int m, int n, int k, float* alpha, ulong a, int aType, int lda,
        ulong b, int bType, int ldb, float* beta, ulong c, int cType, int ldc, int computeType, int algo)
    {
        string call = $"cublasGemmEx(transa {transa}, transb {transb}, m {m}, n {n}, k {k}, types {aType}/{bType}/{cType}, compute {computeType}, algo {algo})";
        if (aType != Interop.Cublas.DataBFloat16 || bType != Interop.Cublas.DataBFloat16 || cType != Interop.Cublas.DataFloat ||
            computeType != Interop.Cublas.Compute32F || algo != Interop.Cublas.GemmDefault)
            throw Refused(call, "only bfloat16 A and B, float32 C, CUBLAS_COMPUTE_32F and CUBLAS_GEMM_DEFAULT are emulated");
        return Gemm(call, transa, transb, m, n, k, *alpha, a, lda, b, ldb, *beta, c, ldc, bfloat16: true);
    }

    private int Gemm(string call, int transa, int transb, int m, int n, int k, float alpha, ulong a, int lda, ulong b, int ldb,
        float beta, ulong c, int ldc, bool bfloat16)
    {
        bool ta = transa == Interop.Cublas.OpT, tb = transb == Interop.Cublas.OpT;
        // The leading-dimension rules of the BLAS: each at least the stored matrix's row count.
        if (m < 0 || n < 0 || k < 0 || lda < Math.Max(1, ta ? k : m) || ldb < Math.Max(1, tb ? n : k) || ldc < Math.Max(1, m))
            throw Refused(call, "CUBLAS_STATUS_INVALID_VALUE");
        float al = NegateGemm ? -alpha : alpha, be = beta;
        lock (_gate) _gemmMathModes.Add(bfloat16 ? BFloat16Gemm : _cublasMathMode);
        Enqueue(call, () =>
        {
            int aRows = ta ? k : m, bRows = tb ? n : k;
            float[] A = bfloat16 ? ReadBFloat16Matrix(a, aRows, ta ? m : k, lda) : ReadMatrix(a, aRows, ta ? m : k, lda);
            float[] B = bfloat16 ? ReadBFloat16Matrix(b, bRows, tb ? k : n, ldb) : ReadMatrix(b, bRows, tb ? k : n, ldb);
            float[] C = ReadMatrix(c, m, n, ldc);
            for (int j = 0; j < n; j++)
                for (int i = 0; i < m; i++)
                {
                    double sum = 0;
                    float sum32 = 0;
                    for (int l = 0; l < k; l++)
                    {
                        float av = ta ? A[l + i * aRows] : A[i + l * aRows];
                        float bv = tb ? B[j + l * bRows] : B[l + j * bRows];
                        if (bfloat16) sum32 += av * bv;
                        else sum += (double)av * bv;
                    }
                    if (bfloat16) sum = sum32;
                    // beta = 0 means C is not read (it may hold NaN), as the BLAS specifies.
                    C[i + j * m] = (float)(al * sum + (be == 0 ? 0 : be * (double)C[i + j * m]));
                }
            WriteMatrix(c, C, m, n, ldc);
        });
        return Interop.Cublas.StatusSuccess;
    }

    /// <summary>What <see cref="GemmMathModes"/> records for a cublasGemmEx on bfloat16 operands, whose tensor-core
    /// use follows from its types, not from the handle's math mode.</summary>
    public const int BFloat16Gemm = -16;

    /// <summary>A column-major matrix of bfloat16 (2 bytes an element), widened exactly to float32.</summary>
    private float[] ReadBFloat16Matrix(ulong p, int rows, int cols, int ld)
    {
        var packed = new float[rows * cols];
        var column = new ushort[rows];
        for (int j = 0; j < cols; j++)
        {
            Memory.Read(p + (ulong)j * (ulong)ld * 2, column.AsSpan());
            for (int i = 0; i < rows; i++) packed[j * rows + i] = BitConverter.UInt32BitsToSingle((uint)column[i] << 16);
        }
        return packed;
    }

    /// <summary>A column-major rows×cols matrix with leading dimension ld, packed (ld = rows).</summary>
    private float[] ReadMatrix(ulong p, int rows, int cols, int ld)
    {
        var packed = new float[rows * cols];
        for (int j = 0; j < cols; j++) Memory.Read(p + (ulong)j * (ulong)ld * 4, packed.AsSpan(j * rows, rows));
        return packed;
    }

    private void WriteMatrix(ulong p, float[] packed, int rows, int cols, int ld)
    {
        for (int j = 0; j < cols; j++) Memory.Write(p + (ulong)j * (ulong)ld * 4, (ReadOnlySpan<float>)packed.AsSpan(j * rows, rows));
    }
}
