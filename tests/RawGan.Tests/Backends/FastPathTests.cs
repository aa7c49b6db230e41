using RawGan.Backends;
using RawGan.Backends.Cpu;
using RawGan.Backends.Cpu.Reference;

namespace RawGan.Tests.Backends;

/// <summary>
/// The fast CPU paths (<see cref="Sgemm"/>, <see cref="FastConv"/>) against the naive loops of
/// <see cref="ReferenceDense"/>, on sizes that are not multiples of any block or tile (1, 7, 13, 65, 127 ...), so every
/// edge path of the packing and the micro-kernels runs. Every micro-kernel this CPU supports is tested, not only the
/// one it would pick, so the AVX2 and portable kernels are checked on an AVX-512 machine too.
///
/// Tolerance: |fast - ref| ≤ 1e-4·(1 + |ref|). Both sides sum k float32 products of size ≤ 1 in different orders
/// (blocked and vectorised against sequential), and each order's rounding error grows with k: about u·√k typically,
/// u·k at worst, u = 6e-8. For the largest k here (≈ 800) the worst case is ≈ 5e-5, within the bound; a lost,
/// doubled or misplaced term (size ~0.01 to 1) is far outside it.
/// </summary>
public sealed unsafe class FastPathTests
{
    private const double Tolerance = 1e-4;

    public static TheoryData<int, int, int> Sizes => new()
    {
        { 1, 1, 1 }, { 7, 13, 5 }, { 65, 33, 129 }, { 127, 255, 63 }, { 1, 70, 9 }, { 70, 1, 9 }, { 12, 32, 1 },
        { 40, 70, 800 }, // several depth slices
        { 3100, 9, 3 },  // several row bands
        { 53, 16, 300 }, { 48, 64, 40 }, { 17, 65, 7 }, // transposed A, thin C: SgemmThin's kernel, its row tail and its limit
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void SgemmMatchesReferenceForAllTransposes(int m, int n, int k)
    {
        foreach (var kernel in SgemmMicroKernel.Supported)
        foreach (bool transA in new[] { false, true })
        foreach (bool transB in new[] { false, true })
            CheckGemm(kernel, transA, transB, m, n, k, alpha: 1f, beta: 0f, pad: 0);
    }

    [Theory]
    [InlineData(7, 13, 5, 1.5f, 0.5f, 0)]
    [InlineData(65, 33, 129, -0.75f, 1f, 3)]
    [InlineData(127, 255, 63, 2f, -1.25f, 17)]
    [InlineData(33, 65, 400, 0.5f, 2f, 1)]
    public void SgemmHonoursAlphaBetaAndLeadingDimensions(int m, int n, int k, float alpha, float beta, int pad)
    {
        foreach (var kernel in SgemmMicroKernel.Supported)
        foreach (bool transA in new[] { false, true })
        foreach (bool transB in new[] { false, true })
            CheckGemm(kernel, transA, transB, m, n, k, alpha, beta, pad);
    }

    [Fact]
    public void SgemmWithBetaZeroIgnoresNaNInC()
    {
        var a = Random(20 * 30, 1); var b = Random(30 * 40, 2);
        var c = new float[20 * 40]; Array.Fill(c, float.NaN);
        var expected = new float[20 * 40];
        ReferenceDense.Gemm(false, false, 20, 40, 30, 1f, a, b, 0f, expected);
        fixed (float* pa = a, pb = b, pc = c) Sgemm.Multiply(false, false, 20, 40, 30, 1f, pa, 30, pb, 40, 0f, pc, 40);
        Close("beta = 0 over NaN", expected, c);
    }

    [Fact]
    public void SgemmWithEmptyDepthScalesC()
    {
        var c = new float[] { 1, 2, 3, 4, 5, 6 };
        fixed (float* pc = c) Sgemm.Multiply(false, false, 2, 3, 0, 1f, null, 1, null, 3, 0.5f, pc, 3);
        Assert.Equal(new float[] { 0.5f, 1, 1.5f, 2, 2.5f, 3 }, c);
    }

    /// <summary>(N, C, H, W, K, R, S, strideH, strideW, padTop, padLeft, padBottom, padRight)</summary>
    [Theory]
    [InlineData(1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0)]       // the smallest case
    [InlineData(2, 6, 5, 7, 3, 1, 1, 1, 1, 0, 0, 0, 0)]       // pointwise: no lowering
    [InlineData(3, 5, 6, 6, 4, 1, 1, 2, 2, 0, 0, 0, 0)]       // 1×1 with stride 2: lowered
    [InlineData(2, 3, 7, 9, 5, 3, 3, 1, 1, 1, 1, 1, 1)]       // odd sizes, 'same' 3×3
    [InlineData(1, 4, 9, 8, 6, 3, 3, 2, 2, 1, 1, 1, 1)]       // batch 1, stride 2
    [InlineData(3, 5, 9, 11, 7, 5, 5, 2, 2, 1, 1, 2, 2)]      // TensorFlow 'same' 5×5 stride 2: asymmetric
    [InlineData(2, 3, 16, 16, 8, 4, 4, 2, 2, 1, 1, 1, 1)]     // DCGAN D's first layer shape (64 → 32, scaled down)
    [InlineData(2, 3, 8, 8, 64, 4, 4, 2, 2, 1, 1, 1, 1)]      // RGB in, 64 out: the filter gradient is computed transposed
    [InlineData(40, 16, 4, 4, 8, 4, 4, 1, 1, 0, 0, 0, 0)]     // D's last layer (4×4 → 1×1): a plain matrix product
    [InlineData(40, 16, 4, 4, 8, 4, 4, 2, 2, 1, 0, 0, 1)]     // 4×4 → 1×1 through padding: lowered, grouped over images
    [InlineData(33, 8, 8, 8, 16, 4, 4, 2, 2, 1, 1, 1, 1)]     // G's 4×4 → 8×8 transposed conv (as backward-data), grouped
    [InlineData(2, 3, 32, 32, 8, 4, 4, 2, 2, 1, 1, 1, 1)]     // G's last layer, 32×32 → 64×64 with 3 channels, scaled
    [InlineData(2, 7, 6, 5, 9, 4, 3, 1, 2, 2, 0, 1, 2)]       // unequal kernel, stride and padding per axis
    [InlineData(9, 3, 24, 24, 5, 3, 3, 1, 1, 1, 1, 1, 1)]     // many single-image groups: each thread takes whole groups
    [InlineData(9, 3, 48, 48, 64, 4, 4, 2, 2, 1, 1, 1, 1)]    // the same, with per-thread transposed filter gradients
    public void FastConvMatchesReference(int n, int c, int h, int w, int k, int r, int s, int sh, int sw,
                                         int pt, int pl, int pb, int pr)
    {
        var g = new ConvGeometry(n, c, h, w, k, r, s, sh, sw, pt, pl, pb, pr);
        var x = Random(n * c * h * w, 3); var wt = Random(k * c * r * s, 4); var dy = Random(n * k * g.P * g.Q, 5);
        float[] y = new float[dy.Length], dx = new float[x.Length], dw = new float[wt.Length];
        float[] yRef = new float[dy.Length], dxRef = new float[x.Length], dwRef = new float[wt.Length];
        Array.Fill(y, float.NaN); Array.Fill(dx, float.NaN); Array.Fill(dw, float.NaN); // outputs are overwritten
        ReferenceDense.Conv2d(g, x, wt, yRef);
        ReferenceDense.Conv2dBackwardData(g, dy, wt, dxRef);
        ReferenceDense.Conv2dBackwardFilter(g, x, dy, dwRef);
        fixed (float* px = x, pw = wt, pdy = dy, py = y, pdx = dx, pdw = dw)
        {
            FastConv.Forward(g, px, pw, py);
            FastConv.BackwardData(g, pdy, pw, pdx);
            FastConv.BackwardFilter(g, px, pdy, pdw);
        }
        Close($"conv forward {g}", yRef, y);
        Close($"conv backward-data {g}", dxRef, dx);
        Close($"conv backward-filter {g}", dwRef, dw);
    }

    private static void CheckGemm(SgemmMicroKernel kernel, bool transA, bool transB, int m, int n, int k,
                                  float alpha, float beta, int pad)
    {
        // Stored shapes: A is [m, k] or [k, m] for transA, B is [k, n] or [n, k]; each row padded by `pad`.
        int aRows = transA ? k : m, aCols = transA ? m : k, bRows = transB ? n : k, bCols = transB ? k : n;
        int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
        var a = Random(aRows * aCols, 10); var b = Random(bRows * bCols, 11); var c0 = Random(m * n, 12);
        var expected = (float[])c0.Clone();
        ReferenceDense.Gemm(transA, transB, m, n, k, alpha, a, b, beta, expected);

        float[] ap = Padded(a, aRows, aCols, lda), bp = Padded(b, bRows, bCols, ldb), cp = Padded(c0, m, n, ldc);
        if (beta == 0f) Array.Fill(cp, float.NaN);
        fixed (float* pa = ap, pb = bp, pc = cp)
            Sgemm.Multiply(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, kernel, CpuParallel.Threads);

        var actual = new float[m * n];
        for (int i = 0; i < m; i++) Array.Copy(cp, i * ldc, actual, i * n, n);
        Close($"sgemm {kernel} {m}x{n}x{k} transA={transA} transB={transB} alpha={alpha} beta={beta} pad={pad}", expected, actual);
        for (int i = 0; i < m; i++) // the padding past each row of C (NaN) is never written
            for (int j = n; j < ldc; j++)
                if (!float.IsNaN(cp[i * ldc + j])) Assert.Fail($"sgemm {kernel} wrote C's padding at ({i}, {j})");
    }

    private static float[] Padded(float[] src, int rows, int cols, int ld)
    {
        var dst = new float[Math.Max(1, rows * ld)];
        Array.Fill(dst, float.NaN); // a read of the padding would poison the result
        for (int i = 0; i < rows; i++) Array.Copy(src, i * cols, dst, i * ld, cols);
        return dst;
    }

    private static float[] Random(int n, int seed)
    {
        var rng = new Random(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)(rng.NextDouble() * 2 - 1);
        return v;
    }

    /// <summary>|actual - expected| ≤ Tolerance·(1 + |expected|) everywhere; on failure names the case, the largest
    /// difference and where, and the first values of both.</summary>
    private static void Close(string what, float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        int worst = -1, bad = 0;
        double worstExcess = double.NegativeInfinity;
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs((double)actual[i] - expected[i]), limit = Tolerance * (1 + Math.Abs(expected[i]));
            if (double.IsNaN(diff)) diff = double.PositiveInfinity;
            if (diff > limit) bad++;
            if (diff - limit > worstExcess) (worstExcess, worst) = (diff - limit, i);
        }
        if (bad == 0) return;
        int shown = Math.Min(8, expected.Length);
        Assert.Fail($"{what}: {bad} of {expected.Length} values differ; largest at [{worst}]: expected {expected[worst]}, " +
                    $"got {actual[worst]}\n  expected: {string.Join(", ", expected[..shown])}\n  actual:   {string.Join(", ", actual[..shown])}");
    }
}
