using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RawGan.Backends.Cpu;

/// <summary>
/// C[m,n] = alpha·Aᵀ·op(B) + beta·C for thin C (n ≤ <see cref="MaxColumns"/>), with A stored [k, m] (lda ≥ m): a
/// transposed convolution's forward at batch 1, where A is the weight ([Cin, Cout·R·S], 2 M floats for DCGAN's
/// 512 → 256 layer) and n the input's few positions (16). There each weight is used only n times, so the product is
/// bound by reading A, and <see cref="Sgemm"/>'s packing (read A, write a copy, read the copy) triples that
/// traffic. Here A is read in place instead: a transposed A's 16 consecutive rows are 16 consecutive floats of
/// each of its k rows, which the kernel broadcasts straight from memory. Only op(B), small, is packed (in 16-column
/// panels). Row blocks of 16 are shared among the threads; each reads its part of A once per B panel, from L1.
/// </summary>
internal static unsafe class SgemmThin
{
    /// <summary>The widest C taken: beyond 64 columns each weight is used often enough that packing pays.</summary>
    public const int MaxColumns = 64;

    internal const int Rows = 16, Cols = 16;

    /// <summary>Below this many multiply-adds one thread does it all (as <see cref="Sgemm"/>'s threshold).</summary>
    private const long SerialMacs = 1L << 20;

    [ThreadStatic] private static PackBuffer? t_packedB;

    public static bool Supported => Avx512F.IsSupported && Vector512.IsHardwareAccelerated;

    public static void Multiply(int m, int n, int k, float alpha, float* a, int lda, bool transB, float* b, int ldb,
                                float beta, float* c, int ldc, int threads)
    {
        int panels = (n + Cols - 1) / Cols;
        float* packed = (t_packedB ??= new PackBuffer()).Get((long)panels * Cols * k);
        SgemmPack.B(transB, b, ldb, 0, k, 0, n, Cols, packed);
        int blocks = (m + Rows - 1) / Rows;
        if ((long)m * n * k < SerialMacs) threads = 1;
        threads = Math.Min(threads, blocks);
        var job = new Job { M = m, N = n, K = k, Alpha = alpha, Beta = beta, A = a, Lda = lda, B = packed, C = c, Ldc = ldc };
        if (threads == 1) job.Blocks(0, blocks);
        else Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads },
            t => job.Blocks(blocks * t / threads, blocks * (t + 1) / threads));
    }

    private struct Job
    {
        public int M, N, K, Lda, Ldc;
        public float Alpha, Beta;
        public float* A, B, C;

        public readonly void Blocks(int from, int to)
        {
            float* tile = stackalloc float[Rows * Cols];
            for (int block = from; block < to; block++)
            {
                int i0 = block * Rows, rows = Math.Min(Rows, M - i0);
                for (int j0 = 0; j0 < N; j0 += Cols)
                {
                    int cols = Math.Min(Cols, N - j0);
                    float* bp = B + (long)j0 * K;
                    // The last block's rows past m would read past A's end on its last row: those go through the tile
                    // with a scalar A, so only full blocks use the kernel.
                    if (rows == Rows) Kernel(K, A + i0, Lda, bp, tile);
                    else Partial(K, A + i0, Lda, rows, bp, tile);
                    Merge(tile, C + (long)i0 * Ldc + j0, Ldc, rows, cols, Alpha, Beta);
                }
            }
        }
    }

    /// <summary>tile[i·16 + j] = Σ_p a[p·lda + i]·b[p·16 + j] for i, j below 16 (added to the tile when
    /// <paramref name="accumulate"/>, for a product taken in depth slices): 16 zmm accumulators, one per row.</summary>
    internal static void Kernel(int k, float* a, nint lda, float* b, float* tile, bool accumulate = false) =>
        Kernel(k, a, lda, new PackedRows(b), tile, accumulate);

    /// <summary>As above with B's row p wherever <paramref name="b"/> says: a packed panel, or 16 pixels read in place
    /// from an image (<see cref="FusedConvTranspose"/>). A struct, so each kind gets its own compiled loop.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Kernel<TRows>(int k, float* a, nint lda, TRows b, float* tile, bool accumulate = false) where TRows : struct, IPanelRows
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        Vector512<float> c8 = default, c9 = default, c10 = default, c11 = default, c12 = default, c13 = default, c14 = default, c15 = default;
        if (accumulate)
        {
            c0 = Vector512.Load(tile); c1 = Vector512.Load(tile + 16); c2 = Vector512.Load(tile + 32); c3 = Vector512.Load(tile + 48);
            c4 = Vector512.Load(tile + 64); c5 = Vector512.Load(tile + 80); c6 = Vector512.Load(tile + 96); c7 = Vector512.Load(tile + 112);
            c8 = Vector512.Load(tile + 128); c9 = Vector512.Load(tile + 144); c10 = Vector512.Load(tile + 160); c11 = Vector512.Load(tile + 176);
            c12 = Vector512.Load(tile + 192); c13 = Vector512.Load(tile + 208); c14 = Vector512.Load(tile + 224); c15 = Vector512.Load(tile + 240);
        }
        for (int p = 0; p < k; p++, a += lda)
        {
            Sse.Prefetch0(a + 16 * lda); // A streams once per panel sweep: a cache line 16 steps ahead
            Vector512<float> bv = Vector512.Load(b.Row(p));
            c0 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[0]), bv, c0);
            c1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[1]), bv, c1);
            c2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[2]), bv, c2);
            c3 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[3]), bv, c3);
            c4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[4]), bv, c4);
            c5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[5]), bv, c5);
            c6 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[6]), bv, c6);
            c7 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[7]), bv, c7);
            c8 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[8]), bv, c8);
            c9 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[9]), bv, c9);
            c10 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[10]), bv, c10);
            c11 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[11]), bv, c11);
            c12 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[12]), bv, c12);
            c13 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[13]), bv, c13);
            c14 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[14]), bv, c14);
            c15 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[15]), bv, c15);
        }
        c0.Store(tile); c1.Store(tile + 16); c2.Store(tile + 32); c3.Store(tile + 48);
        c4.Store(tile + 64); c5.Store(tile + 80); c6.Store(tile + 96); c7.Store(tile + 112);
        c8.Store(tile + 128); c9.Store(tile + 144); c10.Store(tile + 160); c11.Store(tile + 176);
        c12.Store(tile + 192); c13.Store(tile + 208); c14.Store(tile + 224); c15.Store(tile + 240);
    }

    /// <summary>The kernel's sums for the first <paramref name="rows"/> rows only, a row at a time.</summary>
    private static void Partial(int k, float* a, nint lda, int rows, float* b, float* tile)
    {
        for (int i = 0; i < rows; i++)
        {
            Vector512<float> acc = default;
            for (int p = 0; p < k; p++) acc = Avx512F.FusedMultiplyAdd(Vector512.Create(a[p * lda + i]), Vector512.Load(b + p * Cols), acc);
            acc.Store(tile + i * Cols);
        }
    }

    /// <summary>c = alpha·tile + beta·c over the live rows and columns (beta = 0 never reads c).</summary>
    private static void Merge(float* tile, float* c, int ldc, int rows, int cols, float alpha, float beta)
    {
        for (int i = 0; i < rows; i++)
        {
            float* t = tile + i * Cols, ci = c + (long)i * ldc;
            if (cols == Cols)
            {
                Vector512<float> v = Vector512.Load(t) * alpha;
                (beta == 0f ? v : v + Vector512.Load(ci) * beta).Store(ci);
            }
            else if (beta == 0f) for (int j = 0; j < cols; j++) ci[j] = alpha * t[j];
            else for (int j = 0; j < cols; j++) ci[j] = alpha * t[j] + beta * ci[j];
        }
    }
}

/// <summary>Where row p (16 floats) of a B panel lies, for <see cref="SgemmThin.Kernel{TRows}"/>.</summary>
internal unsafe interface IPanelRows
{
    float* Row(int p);
}

/// <summary>A packed panel: row p at b + 16·p.</summary>
internal readonly unsafe struct PackedRows(float* b) : IPanelRows
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float* Row(int p) => b + (nint)p * SgemmThin.Cols;
}
