using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RawGan.Backends.Cpu;

/// <summary>
/// The register-blocked inner loops of <see cref="Sgemm"/>. Each computes one MR×NR tile of C from packed panels:
/// acc[i,j] = Σ_p a[p·MR + i]·b[p·NR + j], then c[i·ldc + j] = acc + beta·c (beta = 0 never reads c, so NaN
/// garbage in a fresh output cannot leak in). The accumulators live in registers for the whole k loop; each step
/// broadcasts MR values of A and loads NR/lanes vectors of B, so the FMA units, not the loads, set the pace.
/// </summary>
internal static unsafe class SgemmKernels
{
    /// <summary>AVX-512: 12×32 = 24 zmm accumulators + 2 for B + 1 broadcast, 27 of the 32 registers.
    /// 24 independent FMA chains hide the 4-cycle FMA latency with room to spare.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Avx512_12x32(int kc, float* a, float* b, float* c, nint ldc, float beta)
    {
        Vector512<float> c0_0 = default, c0_1 = default;
        Vector512<float> c1_0 = default, c1_1 = default;
        Vector512<float> c2_0 = default, c2_1 = default;
        Vector512<float> c3_0 = default, c3_1 = default;
        Vector512<float> c4_0 = default, c4_1 = default;
        Vector512<float> c5_0 = default, c5_1 = default;
        Vector512<float> c6_0 = default, c6_1 = default;
        Vector512<float> c7_0 = default, c7_1 = default;
        Vector512<float> c8_0 = default, c8_1 = default;
        Vector512<float> c9_0 = default, c9_1 = default;
        Vector512<float> c10_0 = default, c10_1 = default;
        Vector512<float> c11_0 = default, c11_1 = default;
        // Fetch the C tile now, so its cache misses overlap the k loop instead of stalling the stores after it.
        Sse.Prefetch0(c + 0 * ldc); Sse.Prefetch0(c + 0 * ldc + 31);
        Sse.Prefetch0(c + 1 * ldc); Sse.Prefetch0(c + 1 * ldc + 31);
        Sse.Prefetch0(c + 2 * ldc); Sse.Prefetch0(c + 2 * ldc + 31);
        Sse.Prefetch0(c + 3 * ldc); Sse.Prefetch0(c + 3 * ldc + 31);
        Sse.Prefetch0(c + 4 * ldc); Sse.Prefetch0(c + 4 * ldc + 31);
        Sse.Prefetch0(c + 5 * ldc); Sse.Prefetch0(c + 5 * ldc + 31);
        Sse.Prefetch0(c + 6 * ldc); Sse.Prefetch0(c + 6 * ldc + 31);
        Sse.Prefetch0(c + 7 * ldc); Sse.Prefetch0(c + 7 * ldc + 31);
        Sse.Prefetch0(c + 8 * ldc); Sse.Prefetch0(c + 8 * ldc + 31);
        Sse.Prefetch0(c + 9 * ldc); Sse.Prefetch0(c + 9 * ldc + 31);
        Sse.Prefetch0(c + 10 * ldc); Sse.Prefetch0(c + 10 * ldc + 31);
        Sse.Prefetch0(c + 11 * ldc); Sse.Prefetch0(c + 11 * ldc + 31);
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> ai;
            ai = Vector512.Create(a[0]); c0_0 = Avx512F.FusedMultiplyAdd(ai, b0, c0_0); c0_1 = Avx512F.FusedMultiplyAdd(ai, b1, c0_1);
            ai = Vector512.Create(a[1]); c1_0 = Avx512F.FusedMultiplyAdd(ai, b0, c1_0); c1_1 = Avx512F.FusedMultiplyAdd(ai, b1, c1_1);
            ai = Vector512.Create(a[2]); c2_0 = Avx512F.FusedMultiplyAdd(ai, b0, c2_0); c2_1 = Avx512F.FusedMultiplyAdd(ai, b1, c2_1);
            ai = Vector512.Create(a[3]); c3_0 = Avx512F.FusedMultiplyAdd(ai, b0, c3_0); c3_1 = Avx512F.FusedMultiplyAdd(ai, b1, c3_1);
            ai = Vector512.Create(a[4]); c4_0 = Avx512F.FusedMultiplyAdd(ai, b0, c4_0); c4_1 = Avx512F.FusedMultiplyAdd(ai, b1, c4_1);
            ai = Vector512.Create(a[5]); c5_0 = Avx512F.FusedMultiplyAdd(ai, b0, c5_0); c5_1 = Avx512F.FusedMultiplyAdd(ai, b1, c5_1);
            ai = Vector512.Create(a[6]); c6_0 = Avx512F.FusedMultiplyAdd(ai, b0, c6_0); c6_1 = Avx512F.FusedMultiplyAdd(ai, b1, c6_1);
            ai = Vector512.Create(a[7]); c7_0 = Avx512F.FusedMultiplyAdd(ai, b0, c7_0); c7_1 = Avx512F.FusedMultiplyAdd(ai, b1, c7_1);
            ai = Vector512.Create(a[8]); c8_0 = Avx512F.FusedMultiplyAdd(ai, b0, c8_0); c8_1 = Avx512F.FusedMultiplyAdd(ai, b1, c8_1);
            ai = Vector512.Create(a[9]); c9_0 = Avx512F.FusedMultiplyAdd(ai, b0, c9_0); c9_1 = Avx512F.FusedMultiplyAdd(ai, b1, c9_1);
            ai = Vector512.Create(a[10]); c10_0 = Avx512F.FusedMultiplyAdd(ai, b0, c10_0); c10_1 = Avx512F.FusedMultiplyAdd(ai, b1, c10_1);
            ai = Vector512.Create(a[11]); c11_0 = Avx512F.FusedMultiplyAdd(ai, b0, c11_0); c11_1 = Avx512F.FusedMultiplyAdd(ai, b1, c11_1);
            a += 12; b += 32;
        }
        if (beta == 0f)
        {
            c0_0.Store(c + 0 * ldc + 0); c0_1.Store(c + 0 * ldc + 16);
            c1_0.Store(c + 1 * ldc + 0); c1_1.Store(c + 1 * ldc + 16);
            c2_0.Store(c + 2 * ldc + 0); c2_1.Store(c + 2 * ldc + 16);
            c3_0.Store(c + 3 * ldc + 0); c3_1.Store(c + 3 * ldc + 16);
            c4_0.Store(c + 4 * ldc + 0); c4_1.Store(c + 4 * ldc + 16);
            c5_0.Store(c + 5 * ldc + 0); c5_1.Store(c + 5 * ldc + 16);
            c6_0.Store(c + 6 * ldc + 0); c6_1.Store(c + 6 * ldc + 16);
            c7_0.Store(c + 7 * ldc + 0); c7_1.Store(c + 7 * ldc + 16);
            c8_0.Store(c + 8 * ldc + 0); c8_1.Store(c + 8 * ldc + 16);
            c9_0.Store(c + 9 * ldc + 0); c9_1.Store(c + 9 * ldc + 16);
            c10_0.Store(c + 10 * ldc + 0); c10_1.Store(c + 10 * ldc + 16);
            c11_0.Store(c + 11 * ldc + 0); c11_1.Store(c + 11 * ldc + 16);
        }
        else
        {
            Vector512<float> bv = Vector512.Create(beta);
            Avx512F.FusedMultiplyAdd(bv, Vector512.Load(c + 0 * ldc + 0), c0_0).Store(c + 0 * ldc + 0);
            Avx512F.FusedMultiplyAdd(bv, Vector512.Load(c + 0 * ldc + 16), c0_1).Store(c + 0 * ldc + 16);
            Avx512F.FusedMultiplyAdd(bv, Vector512.Load(c + 1 * ldc + 0), c1_0).Store(c + 1 * ldc + 0);
            Avx512F.FusedMultiplyAdd(bv, Vector512.Load(c + 1 * ldc + 16), c1_1).Store(c + 1 * ldc + 16);
            Avx512F.FusedMultiplyAdd(bv, Vector512.Load(c + 2 * ldc + 0), c2_0).Store(c + 2 * ldc + 0);
            Avx512F.FusedMultiplyAdd(bv, Vector512.Load(c + 2 * ldc + 16), c2_1).Store(c + 2 * ldc + 16);
            Avx512F.FusedMultiplyAdd(bv, Vector512.Load(c + 3 * ldc + 0), c3_0).Store(c + 3 * ldc + 0);
            Avx512F.FusedMultiplyAdd(bv, Vector512.Load(c + 3 * ldc + 16), c3_1).Store(c + 3 * ldc + 16);
            Avx512F.FusedMultiplyAdd(bv, Vector512.Load(c + 4 * ldc + 0), c4_0).Store(c + 4 * ldc + 0);
            Avx512F.FusedMultiplyAdd(bv, Vector512.Load(c + 4 * ldc + 16), c4_1).Store(c + 4 * ldc + 16);
            Avx512F.FusedMultiplyAdd(bv, Vector512.Load(c + 5 * ldc + 0), c5_0).Store(c + 5 * ldc + 0);
            Avx512F.FusedMultiplyAdd(bv, Vector512.Load(c + 5 * ldc + 16), c5_1).Store(c + 5 * ldc + 16);
            Avx512F.FusedMultiplyAdd(bv, Vector512.Load(c + 6 * ldc + 0), c6_0).Store(c + 6 * ldc + 0);
            Avx512F.FusedMultiplyAdd(bv, Vector512.Load(c + 6 * ldc + 16), c6_1).Store(c + 6 * ldc + 16);
            Avx512F.FusedMultiplyAdd(bv, Vector512.Load(c + 7 * ldc + 0), c7_0).Store(c + 7 * ldc + 0);
            Avx512F.FusedMultiplyAdd(bv, Vector512.Load(c + 7 * ldc + 16), c7_1).Store(c + 7 * ldc + 16);
            Avx512F.FusedMultiplyAdd(bv, Vector512.Load(c + 8 * ldc + 0), c8_0).Store(c + 8 * ldc + 0);
            Avx512F.FusedMultiplyAdd(bv, Vector512.Load(c + 8 * ldc + 16), c8_1).Store(c + 8 * ldc + 16);
            Avx512F.FusedMultiplyAdd(bv, Vector512.Load(c + 9 * ldc + 0), c9_0).Store(c + 9 * ldc + 0);
            Avx512F.FusedMultiplyAdd(bv, Vector512.Load(c + 9 * ldc + 16), c9_1).Store(c + 9 * ldc + 16);
            Avx512F.FusedMultiplyAdd(bv, Vector512.Load(c + 10 * ldc + 0), c10_0).Store(c + 10 * ldc + 0);
            Avx512F.FusedMultiplyAdd(bv, Vector512.Load(c + 10 * ldc + 16), c10_1).Store(c + 10 * ldc + 16);
            Avx512F.FusedMultiplyAdd(bv, Vector512.Load(c + 11 * ldc + 0), c11_0).Store(c + 11 * ldc + 0);
            Avx512F.FusedMultiplyAdd(bv, Vector512.Load(c + 11 * ldc + 16), c11_1).Store(c + 11 * ldc + 16);
        }

    }

    /// <summary>AVX2 + FMA: 6×16 = 12 ymm accumulators + 2 for B + 1 broadcast, 15 of the 16 registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Avx2_6x16(int kc, float* a, float* b, float* c, nint ldc, float beta)
    {
        Vector256<float> c0_0 = default, c0_1 = default;
        Vector256<float> c1_0 = default, c1_1 = default;
        Vector256<float> c2_0 = default, c2_1 = default;
        Vector256<float> c3_0 = default, c3_1 = default;
        Vector256<float> c4_0 = default, c4_1 = default;
        Vector256<float> c5_0 = default, c5_1 = default;
        // Fetch the C tile now, so its cache misses overlap the k loop instead of stalling the stores after it.
        Sse.Prefetch0(c + 0 * ldc); Sse.Prefetch0(c + 0 * ldc + 15);
        Sse.Prefetch0(c + 1 * ldc); Sse.Prefetch0(c + 1 * ldc + 15);
        Sse.Prefetch0(c + 2 * ldc); Sse.Prefetch0(c + 2 * ldc + 15);
        Sse.Prefetch0(c + 3 * ldc); Sse.Prefetch0(c + 3 * ldc + 15);
        Sse.Prefetch0(c + 4 * ldc); Sse.Prefetch0(c + 4 * ldc + 15);
        Sse.Prefetch0(c + 5 * ldc); Sse.Prefetch0(c + 5 * ldc + 15);
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b + 0);
            Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> ai;
            ai = Vector256.Create(a[0]); c0_0 = Fma.MultiplyAdd(ai, b0, c0_0); c0_1 = Fma.MultiplyAdd(ai, b1, c0_1);
            ai = Vector256.Create(a[1]); c1_0 = Fma.MultiplyAdd(ai, b0, c1_0); c1_1 = Fma.MultiplyAdd(ai, b1, c1_1);
            ai = Vector256.Create(a[2]); c2_0 = Fma.MultiplyAdd(ai, b0, c2_0); c2_1 = Fma.MultiplyAdd(ai, b1, c2_1);
            ai = Vector256.Create(a[3]); c3_0 = Fma.MultiplyAdd(ai, b0, c3_0); c3_1 = Fma.MultiplyAdd(ai, b1, c3_1);
            ai = Vector256.Create(a[4]); c4_0 = Fma.MultiplyAdd(ai, b0, c4_0); c4_1 = Fma.MultiplyAdd(ai, b1, c4_1);
            ai = Vector256.Create(a[5]); c5_0 = Fma.MultiplyAdd(ai, b0, c5_0); c5_1 = Fma.MultiplyAdd(ai, b1, c5_1);
            a += 6; b += 16;
        }
        if (beta == 0f)
        {
            c0_0.Store(c + 0 * ldc + 0); c0_1.Store(c + 0 * ldc + 8);
            c1_0.Store(c + 1 * ldc + 0); c1_1.Store(c + 1 * ldc + 8);
            c2_0.Store(c + 2 * ldc + 0); c2_1.Store(c + 2 * ldc + 8);
            c3_0.Store(c + 3 * ldc + 0); c3_1.Store(c + 3 * ldc + 8);
            c4_0.Store(c + 4 * ldc + 0); c4_1.Store(c + 4 * ldc + 8);
            c5_0.Store(c + 5 * ldc + 0); c5_1.Store(c + 5 * ldc + 8);
        }
        else
        {
            Vector256<float> bv = Vector256.Create(beta);
            Fma.MultiplyAdd(bv, Vector256.Load(c + 0 * ldc + 0), c0_0).Store(c + 0 * ldc + 0);
            Fma.MultiplyAdd(bv, Vector256.Load(c + 0 * ldc + 8), c0_1).Store(c + 0 * ldc + 8);
            Fma.MultiplyAdd(bv, Vector256.Load(c + 1 * ldc + 0), c1_0).Store(c + 1 * ldc + 0);
            Fma.MultiplyAdd(bv, Vector256.Load(c + 1 * ldc + 8), c1_1).Store(c + 1 * ldc + 8);
            Fma.MultiplyAdd(bv, Vector256.Load(c + 2 * ldc + 0), c2_0).Store(c + 2 * ldc + 0);
            Fma.MultiplyAdd(bv, Vector256.Load(c + 2 * ldc + 8), c2_1).Store(c + 2 * ldc + 8);
            Fma.MultiplyAdd(bv, Vector256.Load(c + 3 * ldc + 0), c3_0).Store(c + 3 * ldc + 0);
            Fma.MultiplyAdd(bv, Vector256.Load(c + 3 * ldc + 8), c3_1).Store(c + 3 * ldc + 8);
            Fma.MultiplyAdd(bv, Vector256.Load(c + 4 * ldc + 0), c4_0).Store(c + 4 * ldc + 0);
            Fma.MultiplyAdd(bv, Vector256.Load(c + 4 * ldc + 8), c4_1).Store(c + 4 * ldc + 8);
            Fma.MultiplyAdd(bv, Vector256.Load(c + 5 * ldc + 0), c5_0).Store(c + 5 * ldc + 0);
            Fma.MultiplyAdd(bv, Vector256.Load(c + 5 * ldc + 8), c5_1).Store(c + 5 * ldc + 8);
        }

    }

    /// <summary>Portable 4×8 tile for machines without AVX2: correct everywhere, fast nowhere.</summary>
    public static void Scalar_4x8(int kc, float* a, float* b, float* c, nint ldc, float beta)
    {
        const int MR = 4, NR = 8;
        float* acc = stackalloc float[MR * NR];
        for (int t = 0; t < MR * NR; t++) acc[t] = 0f;
        for (int p = 0; p < kc; p++, a += MR, b += NR)
            for (int i = 0; i < MR; i++)
            {
                float ai = a[i];
                for (int j = 0; j < NR; j++) acc[i * NR + j] += ai * b[j];
            }
        for (int i = 0; i < MR; i++)
            for (int j = 0; j < NR; j++)
                c[i * ldc + j] = beta == 0f ? acc[i * NR + j] : acc[i * NR + j] + beta * c[i * ldc + j];
    }
}
