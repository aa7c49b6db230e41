using RawGan.Backends.Cuda;

namespace RawGan.GpuEmulator;

/// <summary>cublasSgemm by its definition: column-major C[m, n] = alpha·op(A)·op(B) + beta·C, with op(A) [m, k]
/// and op(B) [k, n]; element (i, j) of a matrix with leading dimension ld is at (i + j·ld). Sums in float64.</summary>
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
    /// cuBLAS (the emulation itself sums in float64 whatever the mode).</summary>
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
        float* beta, ulong c, int ldc)
    {
        string call = $"cublasSgemm(transa {transa}, transb {transb}, m {m}, n {n}, k {k}, lda {lda}, ldb {ldb}, ldc {ldc})";
        bool ta = transa == Interop.Cublas.OpT, tb = transb == Interop.Cublas.OpT;
        // The leading-dimension rules of the BLAS: each at least the stored matrix's row count.
        if (m < 0 || n < 0 || k < 0 || lda < Math.Max(1, ta ? k : m) || ldb < Math.Max(1, tb ? n : k) || ldc < Math.Max(1, m))
            throw Refused(call, "CUBLAS_STATUS_INVALID_VALUE");
        float al = NegateGemm ? -*alpha : *alpha, be = *beta;
        lock (_gate) _gemmMathModes.Add(_cublasMathMode);
        Enqueue(call, () =>
        {
            float[] A = ReadMatrix(a, ta ? k : m, ta ? m : k, lda), B = ReadMatrix(b, tb ? n : k, tb ? k : n, ldb);
            float[] C = ReadMatrix(c, m, n, ldc);
            int aRows = ta ? k : m, bRows = tb ? n : k;
            for (int j = 0; j < n; j++)
                for (int i = 0; i < m; i++)
                {
                    double sum = 0;
                    for (int l = 0; l < k; l++)
                    {
                        double av = ta ? A[l + i * aRows] : A[i + l * aRows];
                        double bv = tb ? B[j + l * bRows] : B[l + j * bRows];
                        sum += av * bv;
                    }
                    // beta = 0 means C is not read (it may hold NaN), as the BLAS specifies.
                    C[i + j * m] = (float)(al * sum + (be == 0 ? 0 : be * (double)C[i + j * m]));
                }
            WriteMatrix(c, C, m, n, ldc);
        });
        return Interop.Cublas.StatusSuccess;
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
