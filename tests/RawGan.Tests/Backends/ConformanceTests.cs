using RawGan.Backends;
using RawGan.Backends.Cpu;
using RawGan.Backends.Cpu.Reference;
using RawGan.Backends.Cuda;
using RawGan.GpuEmulator;
using RawGan.Tensors;
using RawGan.Tests.Cuda;

namespace RawGan.Tests.Backends;

/// <summary>
/// The backend conformance suite: every primitive of <see cref="IBackend"/> runs on the backend under test and on
/// <see cref="ReferenceBackend"/> (the obvious scalar loops, which share no code with any fast path) with identical
/// float32 inputs, and the outputs are compared element by element.
/// A binding supplies the backend (<see cref="CpuDefaultConformance"/>, <see cref="CudaConformance"/>).
///
/// Tolerances, with u = 2⁻²⁴ (float32's unit roundoff):
/// <list type="bullet">
/// <item>Copies, fills, gathers, max/select maps (Neg, Abs, ReLU, LeakyReLU, Scale, AddScalar) and Add/Sub/Mul are
/// correctly rounded single operations on both sides: exact (0).</item>
/// <item>Transcendental maps (exp, log, tanh, sigmoid, pow, sqrt and their derivatives) and the losses: fast paths
/// and GPU code may use their own polynomials or the hardware's approximate ex2/lg2 (a few ulp) where the reference's
/// MathF is nearly correctly rounded, so
/// |Δ| ≤ 1e-6 + 1e-5·|expected|, i.e. about 80 ulp of headroom; a wrong formula is off by far more.</item>
/// <item>Sums (SumTo, GEMM, convolutions, batch-norm statistics, scatter-add) run in a different order: a float32
/// sum of m terms of size ≤ 1 carries a rounding error that grows like u·m in the worst realistic case, so
/// |Δ| ≤ 4·u·m·scale + 1e-5·|expected|, with m the number of terms per output and scale the size of the terms;
/// a lost, doubled or misplaced term (size ~0.1..1) is still far outside that.</item>
/// <item>At <see cref="Precision.Bf16"/>, GEMM and the convolutions round their operands to bfloat16 (unit roundoff
/// u₈ = 2⁻⁸): see <see cref="CompareProduct"/>. Every other primitive computes float32 at every precision and
/// keeps the tolerances above.</item>
/// <item>Random fills: the same Philox words through the same float64 arithmetic, rounded once: uniform and
/// Bernoulli exact; normal goes through log and cos, where a GPU's own float64 routines (≤ 1e-15 relative) can
/// land on the other side of a float32 rounding boundary: 1 ulp, rarely. |Δ| ≤ 1e-6·|expected| (8 ulp) + 1e-7·std.</item>
/// </list>
/// </summary>
public abstract class BackendConformance
{
    protected const double U = 1.0 / (1 << 24);

    /// <summary>The backend under test (a binding may skip the test here).</summary>
    protected abstract IBackend Backend { get; }

    protected static IBackend Reference => ReferenceBackend.Instance;

    // ---- data ----------------------------------------------------------------------------------------------
    protected static float[] Random(long n, int seed, double low = -1, double high = 1)
    {
        var g = new Generator((ulong)seed);
        var v = new float[n];
        for (long i = 0; i < n; i++) v[i] = (float)(low + (high - low) * g.NextUniform());
        return v;
    }

    protected static Tensor On(IBackend b, float[] data, params int[] shape) =>
        Tensor.FromSpan<float>(data, new Shape(shape), DType.Float32, b);

    protected static Tensor OnInt(IBackend b, int[] data, params int[] shape) =>
        Tensor.FromSpan<int>(data, new Shape(shape), DType.Int32, b);

    protected static Tensor Zeros(IBackend b, params int[] shape) => Tensor.Zeros(new Shape(shape), DType.Float32, b);

    /// <summary>Compares element by element with |Δ| ≤ atol + rtol·|expected| (NaN matches NaN; infinities must
    /// match exactly); on failure reports the count, the worst element and the first values of both.</summary>
    protected static void Close(string what, float[] expected, float[] actual, double atol, double rtol = 0) =>
        Close(what, expected, actual, i => atol + rtol * Math.Abs(expected[i]), $"{atol:G3} + {rtol:G3}·|expected|");

    /// <summary>As <see cref="Close(string, float[], float[], double, double)"/> with a limit of its own for each
    /// element (<paramref name="rule"/> says how it was derived, for the failure message).</summary>
    protected static void Close(string what, float[] expected, float[] actual, Func<int, double> limitOf, string rule)
    {
        Assert.Equal(expected.Length, actual.Length);
        int bad = 0, worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e) && double.IsNaN(a)) continue;
            if (double.IsInfinity(e) || double.IsInfinity(a))
            {
                if (e == a) continue;
                bad++;
                if (worst < 0 || double.IsPositiveInfinity(worstExcess) == false) { worst = i; worstExcess = double.PositiveInfinity; }
                continue;
            }
            double diff = Math.Abs(e - a), limit = limitOf(i);
            if (!(diff <= limit))
            {
                bad++;
                double excess = double.IsNaN(diff) ? double.PositiveInfinity : diff - limit;
                if (worst < 0 || excess > worstExcess) { worst = i; worstExcess = excess; }
            }
        }
        if (bad == 0) return;
        string head(float[] v) => string.Join(", ", v.Take(8).Select(x => x.ToString("G9")));
        Assert.Fail($"{what}: {bad} of {expected.Length} elements differ (|Δ| > {rule}). " +
                    $"Worst at [{worst}]: expected {expected[worst]:G9}, got {actual[worst]:G9} (|Δ| = {Math.Abs(expected[worst] - actual[worst]):G3}).\n" +
                    $"  expected: {head(expected)}\n  actual:   {head(actual)}");
    }

    protected static void Exact(string what, float[] expected, float[] actual) => Close(what, expected, actual, 0);

    /// <summary>Runs <paramref name="run"/> on the reference and on the backend under test with the same inputs
    /// (made by <paramref name="inputs"/> on each) and compares every output named in <paramref name="outputs"/>.</summary>
    private protected void Compare(string what, Func<IBackend, Tensor[]> inputs, Action<IBackend, Tensor[]> run, int[] outputs,
                                   double atol, double rtol = 0)
    {
        IBackend backend = Backend;
        using var scope = new TensorScope();
        Tensor[] r = inputs(Reference), t = inputs(backend);
        run(Reference, r);
        run(backend, t);
        foreach (int o in outputs)
            Close($"{what} (output {o}) on {backend.Name}", r[o].ToFloatArray(), t[o].ToFloatArray(), atol, rtol);
    }

    /// <summary>bfloat16's unit roundoff: an 8-bit significand rounded to nearest is off by at most 2⁻⁸ relative.</summary>
    protected const double U8 = 1.0 / 256;

    /// <summary>
    /// GEMM and the convolutions, out = t[2] from the operands t[0] and t[1]: at FP32 (and TF32) as <see cref="Compare"/>
    /// with (<paramref name="atol"/>, <paramref name="rtol"/>). At bf16 two checks:
    /// <list type="number">
    /// <item>Against the float32 reference, the bound bfloat16's 8-bit significand allows: each operand is rounded
    /// with a relative error ≤ u₈, so each product a·b is off by ≤ (2u₈ + u₈²)·|a·b| and the output by
    /// ≤ (2u₈ + u₈²)·S with S = |alpha|·Σ|a|·|b| over its terms (<paramref name="magnitudes"/>: the reference on the
    /// operands' absolute values), which grows with the reduction length; a convolution's bfloat16 output
    /// (<paramref name="roundsOutput"/>) adds u₈·(|expected| + that); the float32 tolerance covers the float32
    /// accumulation.</item>
    /// <item>Against the reference on the operands rounded by <see cref="BFloat16Rounding"/> (the CPU twin of
    /// kernels/cast.ptx): only the accumulation order and the output rounding remain, so a lost or misplaced term,
    /// or operands rounded any other way, fail here even where the first bound is wide.</item>
    /// </list>
    /// </summary>
    private protected void CompareProduct(string what, Func<IBackend, Tensor[]> inputs, Action<IBackend, Tensor[]> run, double atol, double rtol,
        bool roundsOutput, Action<IBackend, Tensor[]>? magnitudes = null)
    {
        IBackend backend = Backend;
        if (backend.Precision != Precision.Bf16)
        {
            Compare(what, inputs, run, [2], atol, rtol);
            return;
        }
        using var scope = new TensorScope();
        Tensor[] r = inputs(Reference), t = inputs(backend);
        float[] a = r[0].ToFloatArray(), b = r[1].ToFloatArray(), initial = r[2].ToFloatArray();
        run(Reference, r);
        run(backend, t);
        float[] expected = r[2].ToFloatArray(), actual = t[2].ToFloatArray();

        Tensor[] abs = [Like(r[0], Array.ConvertAll(a, Math.Abs)), Like(r[1], Array.ConvertAll(b, Math.Abs)), Like(r[2], new float[initial.Length])];
        (magnitudes ?? run)(Reference, abs);
        float[] s = abs[2].ToFloatArray();
        const double products = 2 * U8 + U8 * U8;
        double outputRounding = roundsOutput ? U8 : 0;
        Close($"{what} on {backend.Name}, against float32", expected, actual,
            i => atol + rtol * Math.Abs(expected[i]) + products * s[i] + outputRounding * (Math.Abs(expected[i]) + products * s[i]),
            $"float32's {atol:G3} + {rtol:G3}·|expected|, + (2u₈ + u₈²)·S{(roundsOutput ? " + u₈·(|expected| + (2u₈ + u₈²)·S)" : "")}");

        Tensor[] rounded = [Like(r[0], Array.ConvertAll(a, BFloat16Rounding.Round)), Like(r[1], Array.ConvertAll(b, BFloat16Rounding.Round)), Like(r[2], initial)];
        run(Reference, rounded);
        float[] onRounded = rounded[2].ToFloatArray();
        Close($"{what} on {backend.Name}, against float32 on bfloat16-rounded operands", onRounded, actual,
            i => atol + rtol * Math.Abs(onRounded[i]) + outputRounding * Math.Abs(onRounded[i]),
            $"float32's {atol:G3} + {rtol:G3}·|expected|{(roundsOutput ? " + u₈·|expected|" : "")}");

        static Tensor Like(Tensor shape, float[] data) => Tensor.FromSpan<float>(data, shape.Shape, DType.Float32, Reference);
    }

    // ---- memory: upload, download, copy, fill, Copy2D -----------------------------------------------------------
    [Fact]
    public void Upload_download_copy_and_fill_round_trip()
    {
        IBackend b = Backend;
        using var scope = new TensorScope();
        float[] data = Random(1001, 1);
        Tensor t = On(b, data, 7, 11, 13);
        Exact("upload/download", data, t.ToFloatArray());

        Tensor z = Zeros(b, 1001);
        Exact("allocate is zero-filled", new float[1001], z.ToFloatArray());

        Tensor c = Zeros(b, 7, 11, 13);
        b.Copy(t, c);
        Exact("copy", data, c.ToFloatArray());

        b.Fill(c, -2.5);
        Exact("fill", Enumerable.Repeat(-2.5f, 1001).ToArray(), c.ToFloatArray());

        int[] ints = Enumerable.Range(-50, 300).ToArray();
        Tensor i = OnInt(b, ints, 300);
        Assert.Equal(ints, i.ToArray<int>());
        b.Fill(i, 7);
        Assert.Equal(Enumerable.Repeat(7, 300).ToArray(), i.ToArray<int>());
    }

    [Theory]
    [InlineData(24, 40, 0, 6, 2, 10, 4, 6)]
    [InlineData(40, 24, 3, 10, 0, 6, 4, 6)]
    [InlineData(30, 30, 0, 5, 0, 5, 6, 5)]
    [InlineData(17, 50, 5, 1, 7, 9, 1, 12)]
    [InlineData(1000, 2400, 1, 3, 0, 7, 333, 2)]
    public void Copy2D_copies_strided_rows(int srcLen, int dstLen, int srcOff, int srcStride, int dstOff, int dstStride, int rows, int count) =>
        Compare($"copy2d rows {rows} count {count}",
            b => [On(b, Random(srcLen, 2), srcLen), On(b, Random(dstLen, 3), dstLen)],
            (b, t) => b.Copy2D(t[0], srcOff, srcStride, t[1], dstOff, dstStride, rows, count),
            [1], 0);

    // ---- elementwise -----------------------------------------------------------------------------------------
    public static TheoryData<UnaryOp, double, double, double, bool> UnaryCases => new()
    {
        // op, alpha, input low, input high, exact
        { UnaryOp.Neg, 0, -3, 3, true },
        { UnaryOp.Exp, 0, -10, 10, false },  // exp, tanh, sigmoid: KernelMath's polynomials against MathF
        { UnaryOp.Log, 0, 1e-3, 50, false },
        { UnaryOp.Sqrt, 0, 1e-3, 50, false },
        { UnaryOp.Abs, 0, -3, 3, true },
        { UnaryOp.Relu, 0, -3, 3, true },
        { UnaryOp.LeakyRelu, 0.2, -3, 3, true },
        { UnaryOp.Tanh, 0, -6, 6, false },
        { UnaryOp.Sigmoid, 0, -20, 20, false },
        { UnaryOp.Scale, -1.75, -3, 3, true },
        { UnaryOp.AddScalar, 0.3125, -3, 3, true },
        { UnaryOp.Pow, 2, 0.05, 4, false },
        { UnaryOp.Pow, 0.5, 0.05, 4, false },
        { UnaryOp.Pow, -1.5, 0.05, 4, false },
    };

    [Theory]
    [MemberData(nameof(UnaryCases))]
    public void Unary_forward_and_backward_match_the_reference(UnaryOp op, double alpha, double low, double high, bool exact)
    {
        // Sizes: one element, a partial block, and several blocks with a ragged tail.
        foreach (int n in new[] { 1, 255, 70_001 })
        {
            float[] x = Random(n, 10 + n, low, high);
            // Exact maps are correctly rounded operations; the rest allow a few ulp between a polynomial and MathF.
            double atol = exact ? 0 : 1e-6, rtol = exact ? 0 : 1e-5;
            Compare($"{op}({alpha}) forward, n {n}", b => [On(b, x, n), Zeros(b, n)], (b, t) => b.Unary(op, alpha, t[0], t[1]), [1], atol, rtol);

            // Backward from the same x, y (the reference's y) and dy on both sides.
            float[] y;
            using (new TensorScope())
            {
                Tensor yr = Zeros(Reference, n);
                Reference.Unary(op, alpha, On(Reference, x, n), yr);
                y = yr.ToFloatArray();
            }
            float[] dy = Random(n, 20 + n);
            Compare($"{op}({alpha}) backward, n {n}", b => [On(b, x, n), On(b, y, n), On(b, dy, n), Zeros(b, n)],
                (b, t) => b.UnaryBackward(op, alpha, t[0], t[1], t[2], t[3]), [3], exact ? 0 : 1e-6, exact ? 0 : 1e-5);
        }
    }

    public static TheoryData<int[], int[], int[]> BroadcastCases => new()
    {
        { [1000], [1000], [1000] },                    // same shape
        { [4, 5, 6], [6], [4, 5, 6] },                 // row vector
        { [4, 5, 6], [5, 1], [4, 5, 6] },              // column
        { [4, 5, 6], [], [4, 5, 6] },                  // scalar (rank 0)
        { [4, 5, 6], [1], [4, 5, 6] },                 // one-element vector
        { [8, 3, 7, 5], [3, 1, 1], [8, 3, 7, 5] },     // per-channel bias
        { [5, 1, 7], [1, 6, 1], [5, 6, 7] },           // both broadcast
        { [1], [9, 4], [9, 4] },                       // a broadcast, b full
        { [2, 1, 3, 1, 4, 1], [1, 5, 1, 6, 1, 7], [2, 5, 3, 6, 4, 7] }, // six alternating axes (no collapse to 4)
        { [3, 1, 2, 1, 2], [1, 4, 1, 3, 1], [3, 4, 2, 3, 2] },
        { [0, 3], [3], [0, 3] },                       // empty
        // The quad path (innermost size a multiple of 4): a conv bias, a column, a row, five axes
        { [8, 3, 4, 4], [3, 1, 1], [8, 3, 4, 4] },
        { [6, 5, 12], [5, 1], [6, 5, 12] },
        { [3, 7, 8], [8], [3, 7, 8] },
        { [3, 1, 2, 1, 4], [1, 5, 1, 3, 1], [3, 5, 2, 3, 4] },
    };

    [Theory]
    [MemberData(nameof(BroadcastCases))]
    public void Binary_ops_broadcast_like_the_reference(int[] sa, int[] sb, int[] sc)
    {
        long na = new Shape(sa).Numel, nb = new Shape(sb).Numel;
        float[] a = Random(na, 31, 0.5, 2), b = Random(nb, 32, 0.5, 2); // away from 0 for Div
        foreach (BinaryOp op in Enum.GetValues<BinaryOp>())
        {
            // Add, Sub, Mul are correctly rounded on both sides; Div may be an approximate reciprocal on a GPU (2 ulp).
            double rtol = op == BinaryOp.Div ? 4 * U : 0;
            Compare($"{op} {new Shape(sa)} ∘ {new Shape(sb)}", bk => [On(bk, a, sa), On(bk, b, sb), Zeros(bk, sc)],
                (bk, t) => bk.Binary(op, t[0], t[1], t[2]), [2], 0, rtol);
        }
    }

    [Fact]
    public void Binary_may_write_into_an_operand_of_the_output_shape()
    {
        // Ops add a bias in place: y = y + bias[C, 1, 1].
        float[] y = Random(2 * 3 * 4 * 5, 41), bias = Random(3, 42);
        Compare("in-place add", b => [On(b, y, 2, 3, 4, 5), On(b, bias, 3, 1, 1)], (b, t) => b.Binary(BinaryOp.Add, t[0], t[1], t[0]), [0], 0);
        Compare("in-place sub into the second operand", b => [On(b, y, 2, 3, 4, 5), On(b, bias, 3, 1, 1)],
            (b, t) => b.Binary(BinaryOp.Sub, t[1], t[0], t[0]), [0], 0);
    }

    public static TheoryData<int[], int[]> SumToCases => new()
    {
        { [1000], [1] },
        { [1000], [] },
        { [64, 33], [33] },             // column sums (bias gradient of Linear)
        { [64, 33], [64, 1] },          // row sums
        { [8, 16, 9, 9], [16, 1, 1] },  // per-channel (bias gradient of a convolution)
        { [5, 6, 7], [5, 1, 7] },       // middle axis
        { [5, 6, 7], [1, 6, 1] },       // two outer axes
        { [5, 6, 7], [5, 6, 7] },       // nothing to reduce
        { [2, 3, 4, 5, 6], [3, 1, 5, 1] },
        { [70_000], [1] },              // a long sum
        { [0, 4], [4] },                // empty: zeros
        // On a GPU: few long rows are cut into segments (two launches); rows of odd length start unaligned
        // (element by element); column sums in quads of columns (B a multiple of 4) or single columns, over slabs
        // of rows when the columns are too few to occupy the GPU.
        { [3, 5000], [3, 1] },
        { [3, 4099], [3, 1] },
        { [130, 257], [130, 1] },
        { [2, 300, 64], [2, 1, 64] },
        { [1000, 6], [6] },
        { [7, 36], [36] },
    };

    [Theory]
    [MemberData(nameof(SumToCases))]
    public void SumTo_reduces_broadcast_axes_like_the_reference(int[] sx, int[] sy)
    {
        long nx = new Shape(sx).Numel, ny = new Shape(sy).Numel;
        long m = ny == 0 ? 0 : nx / Math.Max(1, ny); // terms per output
        float[] x = Random(nx, 51);
        Compare($"sum_to {new Shape(sx)} -> {new Shape(sy)}", b => [On(b, x, sx), On(b, Random(ny, 52), sy)],
            (b, t) => b.SumTo(t[0], t[1]), [1], 4 * U * Math.Max(m, 1) + 1e-7, 1e-5);
    }

    // ---- losses ----------------------------------------------------------------------------------------------
    [Theory]
    [InlineData(LossKind.BinaryCrossEntropy)]
    [InlineData(LossKind.BinaryCrossEntropyWithLogits)]
    [InlineData(LossKind.SquaredError)]
    public void Losses_forward_and_backward_match_the_reference(LossKind kind)
    {
        const int n = 4099;
        float[] input = kind == LossKind.BinaryCrossEntropy ? Random(n, 61, 1e-4, 1 - 1e-4) : Random(n, 61, -30, 30);
        if (kind == LossKind.BinaryCrossEntropy)
        {
            // The clamps: log(0) → -100 and the backward's 1e-12 floor at exactly 0 and 1, and values near them.
            input[0] = 0; input[1] = 1; input[2] = 1e-30f; input[3] = 1 - 6e-8f; input[4] = 1e-7f;
        }
        float[] target = Random(n, 62, 0, 1);
        target[5] = 0; target[6] = 1;
        float[] dLoss = Random(n, 63);
        Compare($"{kind} forward", b => [On(b, input, n), On(b, target, n), Zeros(b, n)], (b, t) => b.Loss(kind, t[0], t[1], t[2]), [2], 1e-6, 1e-5);
        Compare($"{kind} backward", b => [On(b, input, n), On(b, target, n), On(b, dLoss, n), Zeros(b, n)],
            (b, t) => b.LossBackward(kind, t[0], t[1], t[2], t[3]), [3], 1e-6, 1e-5);
    }

    // ---- GEMM ------------------------------------------------------------------------------------------------
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 13, 5)]
    [InlineData(33, 17, 65)]
    [InlineData(128, 64, 96)]
    [InlineData(100, 784, 1)]
    [InlineData(3, 2, 300)]
    public void Gemm_matches_the_reference_for_every_transpose(int m, int n, int k)
    {
        foreach (bool ta in new[] { false, true })
        foreach (bool tb in new[] { false, true })
        foreach ((double alpha, double beta) in new[] { (1.0, 0.0), (0.5, 1.5) })
        {
            float[] a = Random(m * k, 71), bm = Random(k * n, 72), c = Random(m * n, 73);
            int[] sa = ta ? [k, m] : [m, k], sb = tb ? [n, k] : [k, n];
            // k products of size ≤ 1 per output, then alpha and beta·c.
            CompareProduct($"gemm m{m} n{n} k{k} transA {ta} transB {tb} alpha {alpha} beta {beta}",
                b => [On(b, a, sa), On(b, bm, sb), On(b, c, m, n)],
                (b, t) => b.Gemm(ta, tb, alpha, t[0], t[1], beta, t[2]), 4 * U * (k + 2) + 1e-7, 1e-5, roundsOutput: false,
                (b, t) => b.Gemm(ta, tb, Math.Abs(alpha), t[0], t[1], 0, t[2]));
        }
    }

    // ---- convolution -----------------------------------------------------------------------------------------
    public static TheoryData<int[]> ConvCases => new()
    {
        // N, C, H, W, K, R, S, strideH, strideW, padTop, padLeft, padBottom, padRight
        new[] { 2, 3, 8, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1 },        // 3×3 'same'
        new[] { 2, 3, 9, 7, 5, 4, 4, 2, 2, 1, 1, 1, 1 },        // DCGAN 4×4 stride 2, odd sizes
        new[] { 2, 4, 8, 8, 3, 5, 5, 2, 2, 1, 1, 2, 2 },        // TensorFlow 'same' 5×5 stride 2: asymmetric
        new[] { 1, 2, 6, 5, 3, 3, 3, 1, 1, 0, 2, 2, 1 },        // asymmetric the other way in each axis
        new[] { 3, 8, 4, 4, 16, 4, 4, 1, 1, 0, 0, 0, 0 },       // DCGAN's last layer: 1×1 output
        new[] { 2, 5, 6, 6, 7, 1, 1, 1, 1, 0, 0, 0, 0 },        // 1×1 kernel
        new[] { 1, 3, 10, 12, 2, 3, 5, 3, 2, 2, 1, 0, 3 },      // unequal strides and kernel sides
    };

    [Theory]
    [MemberData(nameof(ConvCases))]
    public void Conv2d_and_its_adjoints_match_the_reference(int[] p) => CheckConv(p, MemoryFormat.Contiguous);

    /// <summary>The three convolutions with their activations (x, y, dy, dx) in <paramref name="format"/> on the
    /// backend under test, against the reference in NCHW; the weight is [K, C, R, S] on both.</summary>
    protected void CheckConv(int[] p, MemoryFormat format)
    {
        var g = new ConvGeometry(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12]);
        float[] x = Random((long)g.N * g.C * g.H * g.W, 81), w = Random((long)g.K * g.C * g.R * g.S, 82);
        float[] dy = Random((long)g.N * g.K * g.P * g.Q, 83);
        Tensor A(IBackend b, float[] data, int[] shape) => Activation(b, data, shape, format);
        string what = $"conv2d {g}{(format == MemoryFormat.Contiguous ? "" : $" {format}")}";
        // Terms per output: C·R·S (forward), K·R·S at most (backward data), N·P·Q (backward filter). cuDNN may pick
        // FFT or Winograd algorithms, whose transforms add a few u per term: 16·u·m.
        CompareProduct(what, b => [A(b, x, g.InputShape), On(b, w, g.WeightShape), A(b, Random(dy.Length, 84), g.OutputShape)],
            (b, t) => b.Conv2d(g, t[0], t[1], t[2]), 16 * U * g.C * g.R * g.S + 1e-7, 1e-5, roundsOutput: true);
        CompareProduct($"{what} backward data", b => [A(b, dy, g.OutputShape), On(b, w, g.WeightShape), A(b, Random(x.Length, 85), g.InputShape)],
            (b, t) => b.Conv2dBackwardData(g, t[0], t[1], t[2]), 16 * U * g.K * g.R * g.S + 1e-7, 1e-5, roundsOutput: true);
        CompareProduct($"{what} backward filter", b => [A(b, x, g.InputShape), A(b, dy, g.OutputShape), On(b, Random(w.Length, 86), g.WeightShape)],
            (b, t) => b.Conv2dBackwardFilter(g, t[0], t[1], t[2]), 16 * U * g.N * g.P * g.Q + 1e-7, 1e-5, roundsOutput: true);
    }

    /// <summary>An activation holding <paramref name="data"/> (NCHW order) in <paramref name="format"/> on the backend
    /// under test, laid out by the backend's own transpose; in NCHW on the reference, which is what it is checked
    /// against.</summary>
    private static Tensor Activation(IBackend b, float[] data, int[] shape, MemoryFormat format)
    {
        Tensor nchw = On(b, data, shape);
        if (format == MemoryFormat.Contiguous || ReferenceEquals(b, Reference)) return nchw;
        Tensor t = Tensor.Empty(nchw.Shape, DType.Float32, b, format);
        b.Transpose(nchw, t, shape[0], shape[1], (long)shape[2] * shape[3]);
        return t;
    }

    // ---- memory formats ----------------------------------------------------------------------------------------
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(2, 3, 64)]       // NCHW → NHWC of a 3-channel 8×8 image
    [InlineData(2, 64, 3)]       // and back
    [InlineData(3, 33, 70)]      // partial 32×32 tiles on both sides
    [InlineData(16, 512, 16)]    // DCGAN-64's 4×4 layer at batch 16
    public void Transpose_matches_the_reference(int batch, int rows, int cols)
    {
        float[] x = Random((long)batch * rows * cols, 121);
        Compare($"transpose [{batch}, {rows}, {cols}]", b => [On(b, x, batch, rows, cols), On(b, Random(x.Length, 122), batch, cols, rows)],
            (b, t) => b.Transpose(t[0], t[1], batch, rows, cols), [1], 0);
    }

    // ---- batch normalisation -----------------------------------------------------------------------------------
    public static TheoryData<int[], bool, bool> BatchNormCases => new()
    {
        // shape, affine (weight and bias), running statistics
        { [4, 3, 5, 5], true, true },
        { [4, 3, 5, 5], false, false },
        { [16, 8], true, true },          // BatchNorm1d
        { [2, 6, 17, 9], true, false },
        { [64, 4, 16, 16], true, true },  // 16k values per channel
        { [3, 2, 37, 41], true, true },   // on a GPU, channels split into slices of unequal length
        { [64, 1, 16, 16], false, true }, // one channel in many slices
    };

    [Theory]
    [MemberData(nameof(BatchNormCases))]
    public void BatchNorm_training_matches_the_reference(int[] shape, bool affine, bool running) =>
        CheckBatchNormTraining(shape, affine, running);

    /// <summary>Training-mode forward (y, the saved statistics, the running statistics) and backward against the
    /// reference, x, y, dy and dx in <paramref name="format"/> on the backend under test.</summary>
    protected void CheckBatchNormTraining(int[] shape, bool affine, bool running, MemoryFormat format = MemoryFormat.Contiguous)
    {
        Tensor A(IBackend b, float[] data) => Activation(b, data, shape, format);
        int c = shape[1];
        long n = new Shape(shape).Numel, m = n / c;
        // Inputs with a mean away from 0 and a spread, as activations have: x̂ is then sensitive to a wrong mean or variance.
        float[] x = Random(n, 91, -1, 3), dy = Random(n, 92);
        float[] w = Random(c, 93, 0.5, 1.5), bias = Random(c, 94), rm = Random(c, 95), rv = Random(c, 96, 0.5, 2);
        // Statistics and x̂ come from sums of m terms; the CPU accumulates in double. 4·u·√m·... is below
        // float32's own rounding of the results for these sizes, so: |Δ| ≤ 2e-5 + 1e-4·|expected|.
        const double atol = 2e-5, rtol = 1e-4;
        Compare($"batch_norm training forward {new Shape(shape)} affine {affine} running {running}",
            b => [A(b, x), On(b, w, c), On(b, bias, c), On(b, rm, c), On(b, rv, c), A(b, new float[n]), Zeros(b, c), Zeros(b, c)],
            (b, t) => b.BatchNormForward(t[0], affine ? t[1] : null, affine ? t[2] : null, running ? t[3] : null, running ? t[4] : null,
                training: true, momentum: 0.1, eps: 1e-5, t[5], t[6], t[7]),
            running ? [5, 6, 7, 3, 4] : [5, 6, 7], atol, rtol);

        // Backward from the reference's mean and invStd on both sides.
        float[] mean, invStd;
        using (new TensorScope())
        {
            Tensor y = Zeros(Reference, shape), mu = Zeros(Reference, c), inv = Zeros(Reference, c);
            Reference.BatchNormForward(On(Reference, x, shape), null, null, null, null, true, 0.1, 1e-5, y, mu, inv);
            mean = mu.ToFloatArray();
            invStd = inv.ToFloatArray();
        }
        // dWeight and dBias are sums of m terms: 4·u·m on top.
        Compare($"batch_norm training backward {new Shape(shape)} affine {affine}",
            b => [A(b, x), A(b, dy), On(b, w, c), On(b, mean, c), On(b, invStd, c), A(b, new float[n]), Zeros(b, c), Zeros(b, c)],
            (b, t) => b.BatchNormBackward(t[0], t[1], affine ? t[2] : null, t[3], t[4], training: true, t[5], affine ? t[6] : null, affine ? t[7] : null),
            affine ? [5, 6, 7] : [5], atol + 4 * U * m, rtol);
    }

    [Theory]
    [InlineData(new[] { 4, 3, 5, 5 }, true)]
    [InlineData(new[] { 16, 8 }, false)]
    public void BatchNorm_eval_matches_the_reference(int[] shape, bool affine) => CheckBatchNormEval(shape, affine);

    /// <summary>Eval-mode forward and backward against the reference, activations in <paramref name="format"/> on the
    /// backend under test.</summary>
    protected void CheckBatchNormEval(int[] shape, bool affine, MemoryFormat format = MemoryFormat.Contiguous)
    {
        Tensor A(IBackend b, float[] data) => Activation(b, data, shape, format);
        int c = shape[1];
        long n = new Shape(shape).Numel;
        float[] x = Random(n, 101, -1, 3), dy = Random(n, 102);
        float[] w = Random(c, 103, 0.5, 1.5), bias = Random(c, 104), rm = Random(c, 105), rv = Random(c, 106, 0.5, 2);
        // Eval is elementwise from the running statistics: a few roundings per element.
        Compare($"batch_norm eval forward {new Shape(shape)}",
            b => [A(b, x), On(b, w, c), On(b, bias, c), On(b, rm, c), On(b, rv, c), A(b, new float[n]), Zeros(b, c), Zeros(b, c)],
            (b, t) => b.BatchNormForward(t[0], affine ? t[1] : null, affine ? t[2] : null, t[3], t[4], training: false, 0.1, 1e-5, t[5], t[6], t[7]),
            [5, 6, 7, 3, 4], 1e-6, 1e-5);
        float[] mean = rm, invStd = rv.Select(v => (float)(1 / Math.Sqrt(v + 1e-5))).ToArray();
        Compare($"batch_norm eval backward {new Shape(shape)}",
            b => [A(b, x), A(b, dy), On(b, w, c), On(b, mean, c), On(b, invStd, c), A(b, new float[n]), Zeros(b, c), Zeros(b, c)],
            (b, t) => b.BatchNormBackward(t[0], t[1], affine ? t[2] : null, t[3], t[4], training: false, t[5], t[6], t[7]),
            [5, 6, 7], 4 * U * (n / c) + 1e-5, 1e-4);
    }

    // ---- indexing --------------------------------------------------------------------------------------------
    [Fact]
    public void Gather_and_scatter_add_handle_repeated_indices()
    {
        const int v = 10, d = 37;
        int[] idx = [3, 0, 9, 3, 3, 5, 0, 9, 1, 3, 7, 2, 3];
        int n = idx.Length;
        float[] table = Random(v * d, 111), dOut = Random(n * d, 112), dTable = Random(v * d, 113);
        Compare("gather", b => [On(b, table, v, d), OnInt(b, idx, n), Zeros(b, n, d)], (b, t) => b.Gather(t[0], t[1], t[2]), [2], 0);
        // Row 3 receives five additions (plus its initial value) in an order the GPU does not fix: 4·u·6.
        Compare("scatter_add (accumulates)", b => [On(b, dOut, n, d), OnInt(b, idx, n), On(b, dTable, v, d)],
            (b, t) => b.ScatterAdd(t[0], t[1], t[2]), [2], 4 * U * 6 * 2, 0);
    }

    // ---- pooling ---------------------------------------------------------------------------------------------
    public static TheoryData<int[]> PoolCases => new()
    {
        // N, C, H, W, kernelH, kernelW, strideH, strideW, padH, padW
        new[] { 2, 3, 9, 9, 3, 3, 2, 2, 0, 0 },   // Inception's stem and reduction max pools
        new[] { 2, 4, 8, 8, 3, 3, 1, 1, 1, 1 },   // Inception's block pools: same size, padded
        new[] { 1, 2, 7, 10, 2, 3, 2, 1, 1, 1 },  // unequal kernel sides and strides
        new[] { 3, 5, 5, 6, 4, 4, 3, 3, 2, 2 },   // padding half the kernel: corner windows hold one element
        new[] { 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 },
    };

    /// <summary>Values on a grid of quarters, so windows hold equal maxima (the first must win), with one NaN
    /// (it must win its windows) and one -inf.</summary>
    private static float[] PoolInput(PoolGeometry g, int seed)
    {
        float[] x = Random((long)g.N * g.C * g.H * g.W, seed, -2, 2).Select(v => MathF.Round(v * 4) / 4).ToArray();
        if (x.Length > 7) { x[x.Length / 2] = float.NaN; x[3] = float.NegativeInfinity; }
        return x;
    }

    [Theory]
    [MemberData(nameof(PoolCases))]
    public void MaxPool2d_and_its_adjoint_match_the_reference(int[] p)
    {
        var g = new PoolGeometry(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9]);
        float[] x = PoolInput(g, 141), dy = Random((long)g.N * g.C * g.P * g.Q, 142);
        int[] indices;
        using (new TensorScope())
        {
            Tensor y = Zeros(Reference, g.OutputShape), idx = OnInt(Reference, new int[dy.Length], g.OutputShape);
            Reference.MaxPool2d(g, On(Reference, x, g.InputShape), y, idx);
            indices = idx.ToArray<int>();
        }
        Compare($"max_pool2d {g}", b => [On(b, x, g.InputShape), Zeros(b, g.OutputShape), OnInt(b, new int[dy.Length], g.OutputShape)],
            (b, t) =>
            {
                b.MaxPool2d(g, t[0], t[1], t[2]);
                Assert.Equal(indices, t[2].ToArray<int>());
            }, [1], 0);
        // The same additions in the same (p, q) order on every backend: exact.
        Compare($"max_pool2d backward {g}", b => [On(b, dy, g.OutputShape), OnInt(b, indices, g.OutputShape), On(b, Random(x.Length, 143), g.InputShape)],
            (b, t) => b.MaxPool2dBackward(g, t[0], t[1], t[2]), [2], 0);
    }

    [Theory]
    [MemberData(nameof(PoolCases))]
    public void AvgPool2d_and_its_adjoint_match_the_reference(int[] p)
    {
        var g = new PoolGeometry(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9]);
        float[] x = Random((long)g.N * g.C * g.H * g.W, 151), dy = Random((long)g.N * g.C * g.P * g.Q, 152);
        foreach (bool include in new[] { true, false })
        {
            // Window sums in float64 rounded once (forward), quotients added in (p, q) order (backward): exact.
            Compare($"avg_pool2d count_include_pad {include} {g}", b => [On(b, x, g.InputShape), Zeros(b, g.OutputShape)],
                (b, t) => b.AvgPool2d(g, include, t[0], t[1]), [1], 0);
            Compare($"avg_pool2d backward count_include_pad {include} {g}", b => [On(b, dy, g.OutputShape), On(b, Random(x.Length, 153), g.InputShape)],
                (b, t) => b.AvgPool2dBackward(g, include, t[0], t[1]), [1], 0);
        }
    }

    // ---- random fills ----------------------------------------------------------------------------------------
    [Theory]
    [InlineData(1UL, 0UL)]
    [InlineData(0xDEADBEEFCAFEUL, 123_456_789_012UL)]
    [InlineData(42UL, 0x1_FFFF_FF00UL)] // the counter's low word carries into the high word inside the fill
    public void Random_fills_draw_the_reference_numbers(ulong seed, ulong offset)
    {
        const int n = 10_007;
        Compare("uniform(0, 1)", b => [Zeros(b, n)], (b, t) => b.FillUniform(t[0], seed, offset, 0, 1), [0], 0);
        Compare("uniform(-3, 5)", b => [Zeros(b, n)], (b, t) => b.FillUniform(t[0], seed, offset, -3, 5), [0], 0);
        Compare("bernoulli(0.3, 2)", b => [Zeros(b, n)], (b, t) => b.FillBernoulli(t[0], seed, offset, 0.3, 2), [0], 0);
        Compare("bernoulli(0.8, 1.25)", b => [Zeros(b, n)], (b, t) => b.FillBernoulli(t[0], seed, offset, 0.8, 1.25), [0], 0);
        Compare("normal(0, 1)", b => [Zeros(b, n)], (b, t) => b.FillNormal(t[0], seed, offset, 0, 1), [0], 1e-7, 1e-6);
        Compare("normal(0.5, 0.02)", b => [Zeros(b, n)], (b, t) => b.FillNormal(t[0], seed, offset, 0.5, 0.02), [0], 0.02 * 1e-7, 1e-6);
    }

    // ---- Adam ------------------------------------------------------------------------------------------------
    [Theory]
    [InlineData(1, 0.0)]
    [InlineData(10, 0.0)]
    [InlineData(3, 0.01)]
    public void Adam_step_matches_the_reference(long step, double weightDecay)
    {
        const int n = 70_001;
        var h = new AdamHyper(2e-4, 0.5, 0.999, 1e-8, weightDecay, step);
        float[] p = Random(n, 121), g = Random(n, 122, -0.1, 0.1), m = Random(n, 123, -0.01, 0.01), v = Random(n, 124, 0, 1e-4);
        // A handful of roundings per element (the order of the fused update may differ).
        Compare($"adam step {step} weight decay {weightDecay}", b => [On(b, p, n), On(b, g, n), On(b, m, n), On(b, v, n)],
            (b, t) => b.AdamStep(t[0], t[1], t[2], t[3], h), [0, 2, 3], 1e-7, 1e-5);
    }
}

/// <summary>The CPU fast paths (SIMD GEMM, im2col, fused loops) against the naive reference.</summary>
public sealed class CpuDefaultConformance : BackendConformance
{
    protected override IBackend Backend => CpuBackend.Default;
}

/// <summary>The CUDA backend's code and PTX kernels on the emulated GPU (kernels interpreted, cuBLAS and cuDNN by
/// definition) against the CPU reference: runs everywhere, so a wrong launch, argument list or kernel fails in CI.</summary>
[Collection(nameof(EmulatedGpu))]
public sealed class EmulatedCudaConformance : CudaBackendConformance
{
    protected override CudaBackend Cuda => EmulatedGpu.Backend;
}

/// <summary>The bf16 CUDA backend on the emulated GPU: every primitive against the float32 reference, GEMM and the
/// convolutions within bfloat16's bounds (<see cref="BackendConformance.CompareProduct"/>), the rest unchanged.</summary>
[Collection(nameof(EmulatedGpu))]
public sealed class EmulatedCudaBf16Conformance : CudaBackendConformance
{
    protected override CudaBackend Cuda => EmulatedGpu.Backend.Resources.Backend(Precision.Bf16);
}

/// <summary>The bf16 CUDA backend against the CPU reference on a real GPU (bfloat16 tensor cores). Skipped where there
/// is no usable CUDA device.</summary>
public sealed class CudaBf16Conformance : CudaBackendConformance
{
    protected override CudaBackend Cuda => CudaConformance.Device.Resources.Backend(Precision.Bf16);
}

/// <summary>The CUDA backend against the CPU reference, TF32 off. Skipped (never passed) where there is no usable
/// CUDA device or library, with the reason.</summary>
public sealed class CudaConformance : CudaBackendConformance
{
    protected override CudaBackend Cuda => Device;

    internal static CudaBackend Device
    {
        get
        {
            CudaBackend? b = CudaBackend.TryCreate(0, out string whyNot);
            if (b is null) Assert.Skip($"no CUDA device: {whyNot}");
            return b;
        }
    }
}

/// <summary>What every CUDA backend (real or emulated) must also do: its caching allocator in a training loop.</summary>
public abstract class CudaBackendConformance : BackendConformance
{
    protected abstract CudaBackend Cuda { get; }

    protected sealed override IBackend Backend => Cuda;

    [Theory]
    [InlineData(UnaryOp.Exp, -10, 10)]
    [InlineData(UnaryOp.Tanh, -6, 6)]
    [InlineData(UnaryOp.Sigmoid, -20, 20)]
    public void Exp_tanh_and_sigmoid_give_the_cpu_fast_paths_bits(UnaryOp op, double low, double high)
    {
        // kernels/elementwise.ptx and KernelMath are one formula, so a model computes the same bits on either device.
        const int n = 4099;
        float[] x = Random(n, 131, low, high), expected;
        using (new TensorScope())
        {
            Tensor y = Zeros(CpuBackend.Default, n);
            CpuBackend.Default.Unary(op, 0, On(CpuBackend.Default, x, n), y);
            expected = y.ToFloatArray();
        }
        using (new TensorScope())
        {
            Tensor y = Zeros(Cuda, n);
            Cuda.Unary(op, 0, On(Cuda, x, n), y);
            Exact($"{op} against the CPU's float32 path", expected, y.ToFloatArray());
        }
    }

    /// <summary>The default path is checked by the base suite; these run every path (cuDNN in both modes, the PTX
    /// kernels) on a few of its cases, the affine-less and 1-d ones on the PTX whatever the path.</summary>
    [Theory]
    [InlineData(CudaBatchNorm.Ptx)]
    [InlineData(CudaBatchNorm.CudnnSpatial)]
    [InlineData(CudaBatchNorm.CudnnPersistent)]
    public void BatchNorm_training_matches_the_reference_on_every_path(CudaBatchNorm path) => BatchNormPaths.On(Cuda, path, () =>
    {
        CheckBatchNormTraining([4, 3, 5, 5], affine: true, running: true);
        CheckBatchNormTraining([16, 8], affine: true, running: true);
        CheckBatchNormTraining([3, 2, 37, 41], affine: true, running: false);
        CheckBatchNormTraining([4, 3, 5, 5], affine: false, running: true);
    });

    /// <summary>Channels-last activations as the CUDA backend takes them natively: cuDNN's NHWC descriptors (the
    /// weight transposed per call to [K, R, S, C] and the filter gradient back; the explicit padding of asymmetric
    /// cases on NHWC rows), against the reference in NCHW. On a GPU this is where cuDNN shows it accepts them.</summary>
    [Theory]
    [MemberData(nameof(ConvCases))]
    public void Conv2d_and_its_adjoints_in_channels_last_match_the_reference(int[] p) => CheckConv(p, MemoryFormat.ChannelsLast);

    /// <summary>Batch norm on channels-last activations on every path: in training cuDNN with an NHWC descriptor or
    /// the PTX kernels on [N·H·W, C], in eval (always the PTX) the same view.</summary>
    [Theory]
    [InlineData(CudaBatchNorm.Ptx)]
    [InlineData(CudaBatchNorm.CudnnSpatial)]
    [InlineData(CudaBatchNorm.CudnnPersistent)]
    public void BatchNorm_training_in_channels_last_matches_the_reference_on_every_path(CudaBatchNorm path) => BatchNormPaths.On(Cuda, path, () =>
    {
        CheckBatchNormTraining([4, 3, 5, 5], affine: true, running: true, MemoryFormat.ChannelsLast);
        CheckBatchNormTraining([3, 2, 37, 41], affine: true, running: false, MemoryFormat.ChannelsLast);
        CheckBatchNormTraining([8, 40, 6, 7], affine: true, running: true, MemoryFormat.ChannelsLast); // a full and a partial column tile, rows in slices
        CheckBatchNormTraining([4, 3, 5, 5], affine: false, running: true, MemoryFormat.ChannelsLast);
        CheckBatchNormEval([4, 3, 5, 5], affine: true, MemoryFormat.ChannelsLast);
    });

    [Fact]
    public void Uploads_through_the_staging_buffers_arrive_intact_whatever_their_order_and_size()
    {
        CudaBackend b = Cuda;
        // More uploads than staging buffers, growing and shrinking, each read back after all were queued.
        float[][] data = [Random(10, 1), Random(300_000, 2), Random(7, 3), Random(600_000, 4), Random(1, 5)];
        Tensor[] uploaded = data.Select(d => On(b, d, d.Length)).ToArray();
        for (int i = 0; i < data.Length; i++) Assert.Equal(data[i], uploaded[i].ToFloatArray());
    }

    [Fact]
    public void Steady_training_loop_makes_no_new_device_allocations()
    {
        CudaBackend b = Cuda;
        long AfterStep()
        {
            using (var scope = new TensorScope())
            {
                // A training-like step: activations of several sizes, a GEMM, elementwise maps, a reduction,
                // a convolution with its workspace, and a loss read back to the host.
                Tensor x = On(b, Random(64 * 100, 1), 64, 100), w = On(b, Random(100 * 256, 2), 100, 256);
                Tensor h = Zeros(b, 64, 256);
                b.Gemm(false, false, 1, x, w, 0, h);
                Tensor a = Zeros(b, 64, 256);
                b.Unary(UnaryOp.LeakyRelu, 0.2, h, a);
                Tensor s = Zeros(b, 256);
                b.SumTo(a, s);
                var g = new ConvGeometry(8, 4, 16, 16, 8, 4, 4, 2, 2, 1, 1, 1, 1);
                Tensor img = On(b, Random(8 * 4 * 16 * 16, 3), g.InputShape), k = On(b, Random(8 * 4 * 4 * 4, 4), g.WeightShape);
                Tensor y = Zeros(b, g.OutputShape);
                b.Conv2d(g, img, k, y);
                Tensor big = Zeros(b, 3 << 20); // a large block (2 MiB granularity)
                b.Fill(big, 1);
                _ = s.ToFloatArray()[0];
            }
            return b.Allocator.Stats.DeviceAllocations;
        }

        AfterStep();
        long warm = AfterStep();
        for (int i = 0; i < 5; i++) Assert.Equal(warm, AfterStep());
        Assert.True(b.Allocator.Stats.CacheHits > 0, b.Allocator.Stats.ToString());
    }
}
