using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RawGan.Backends.Cpu;

/// <summary>
/// C[m,n] = Aᵀ·op(B) with A a <see cref="QuantizedMatrix"/> [k, m] (int8 or bf16 weights, float32 activations), the
/// weight-only quantised form of <see cref="SgemmThin"/>: a transposed convolution's forward at batch 1, bound by
/// reading the weight, which int8 makes a quarter and bf16 half as many bytes. Each 16-row block of Aᵀ is widened a
/// depth slice at a time (bf16: a 16-bit shift; int8: sign-extend and convert) into a float block in L1, which
/// <see cref="SgemmThin.Kernel"/> then multiplies against every 16-column panel of op(B); int8's per-channel scale is
/// applied to C's rows at the end. Wider C (n > <see cref="SgemmThin.MaxColumns"/>) is compute-bound: there
/// <see cref="Sgemm"/> runs on the dequantised float32 copy, as fast as float32 weights and no faster.
/// </summary>
internal static unsafe class SgemmThinQuantized
{
    /// <summary>Depth of the widened slice: 128 × 16 floats = 8 KB, beside the B panels in L1.</summary>
    private const int Depth = 128;
    private const int MaxPanels = SgemmThin.MaxColumns / SgemmThin.Cols;
    private const long SerialMacs = 1L << 20;

    [ThreadStatic] private static PackBuffer? t_packedB;

    public static void Multiply(int m, int n, int k, QuantizedMatrix a, bool transB, float* b, int ldb, float* c, int ldc, int threads)
    {
        if (a.Rows != k || a.Cols != m)
            throw new ArgumentException($"SgemmThinQuantized: A is [{a.Rows}, {a.Cols}], not [{k}, {m}].");
        if (m == 0 || n == 0) return;
        if (n > SgemmThin.MaxColumns || !SgemmThin.Supported)
        {
            Sgemm.Multiply(true, transB, m, n, k, 1f, a.Float, m, b, ldb, 0f, c, ldc, SgemmMicroKernel.Best, threads);
            return;
        }
        int panels = (n + SgemmThin.Cols - 1) / SgemmThin.Cols;
        float* packed = (t_packedB ??= new PackBuffer()).Get((long)panels * SgemmThin.Cols * k);
        SgemmPack.B(transB, b, ldb, 0, k, 0, n, SgemmThin.Cols, packed);
        int blocks = (m + SgemmThin.Rows - 1) / SgemmThin.Rows;
        if ((long)m * n * k < SerialMacs) threads = 1;
        threads = Math.Min(threads, blocks);
        var job = new Job { M = m, N = n, K = k, A = a, B = packed, C = c, Ldc = ldc };
        if (threads == 1) job.Blocks(0, blocks);
        else Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads },
            t => job.Blocks(blocks * t / threads, blocks * (t + 1) / threads));
    }

    private struct Job
    {
        public int M, N, K, Ldc;
        public QuantizedMatrix A;
        public float* B, C;

        public readonly void Blocks(int from, int to)
        {
            const int rowsPer = SgemmThin.Rows, cols = SgemmThin.Cols;
            float* widened = stackalloc float[Depth * rowsPer];
            float* tiles = stackalloc float[MaxPanels * rowsPer * cols];
            int panels = (N + cols - 1) / cols;
            for (int block = from; block < to; block++)
            {
                int i0 = block * rowsPer, rows = Math.Min(rowsPer, M - i0);
                for (int p0 = 0; p0 < K; p0 += Depth)
                {
                    int kc = Math.Min(Depth, K - p0);
                    Widen(A, p0, kc, i0, rows, widened);
                    for (int panel = 0; panel < panels; panel++)
                        SgemmThin.Kernel(kc, widened, rowsPer, B + (long)panel * cols * K + (long)p0 * cols, tiles + panel * rowsPer * cols, accumulate: p0 > 0);
                }
                float* scale = A.ColumnScale + i0;
                for (int panel = 0; panel < panels; panel++)
                {
                    int j0 = panel * cols, live = Math.Min(cols, N - j0);
                    float* tile = tiles + panel * rowsPer * cols;
                    for (int i = 0; i < rows; i++)
                    {
                        float* ci = C + (long)(i0 + i) * Ldc + j0, t = tile + i * cols;
                        if (live == cols) (Vector512.Load(t) * scale[i]).Store(ci);
                        else for (int j = 0; j < live; j++) ci[j] = t[j] * scale[i];
                    }
                }
            }
        }
    }

    /// <summary>widened[p·16 + i] = the raw value (int8 as an integer, bf16 as its float) of A[p0 + p, i0 + i], zero
    /// past the last row of a partial block.</summary>
    private static void Widen(QuantizedMatrix a, int p0, int kc, int i0, int rows, float* widened)
    {
        int m = a.Cols;
        if (rows < SgemmThin.Rows)
        {
            for (int p = 0; p < kc; p++)
                for (int i = 0; i < SgemmThin.Rows; i++)
                {
                    long e = (long)(p0 + p) * m + i0 + i;
                    widened[p * SgemmThin.Rows + i] = i >= rows ? 0f
                        : a.Kind == Quantization.Int8 ? a.Int8[e] : QuantizedMatrix.FromBf16(a.Bf16[e]);
                }
            return;
        }
        if (a.Kind == Quantization.Int8)
        {
            sbyte* src = a.Int8 + (long)p0 * m + i0;
            for (int p = 0; p < kc; p++, src += m)
                Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.Load(src))).Store(widened + p * SgemmThin.Rows);
        }
        else
        {
            ushort* src = a.Bf16 + (long)p0 * m + i0;
            for (int p = 0; p < kc; p++, src += m)
                Avx512F.ShiftLeftLogical(Avx512F.ConvertToVector512UInt32(Vector256.Load(src)), 16).AsSingle().Store(widened + p * SgemmThin.Rows);
        }
    }
}
