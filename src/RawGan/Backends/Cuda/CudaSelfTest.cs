using RawGan.Backends.Cpu;
using RawGan.Tensors;

namespace RawGan.Backends.Cuda;

/// <summary>
/// The start-up check of a device's backend, run once when it is created: one primitive of each kind (a PTX
/// kernel, a reduction, cuBLAS, cuDNN, the copies both ways) on small inputs, against the CPU. The test suite checks
/// far more; this catches, on the machine that trains, a driver or library that loads but computes wrongly, before
/// a run spends hours on it. A failure makes the device unusable with the reason, so --device auto uses the CPU.
/// </summary>
internal static class CudaSelfTest
{
    // Loose enough for TF32 GEMMs and convolutions (10-bit mantissas) and a bf16 convolution's rounded output
    // (2^-8 relative), far below what a wrong result is off by. A bf16 product is compared with the CPU's on the
    // operands rounded to bf16 (BFloat16Rounding), so its operand rounding is checked too, not tolerated.
    private const double Tolerance = 1e-2;

    public static void Run(CudaBackend gpu)
    {
        using var scope = new TensorScope();
        float[] x = Values(6 * 8, 1), w = Values(8 * 5, 2), image = Values(2 * 3 * 6 * 6, 3), filter = Values(4 * 3 * 3 * 3, 4);
        var g = new ConvGeometry(2, 3, 6, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1);
        Check(gpu, "upload and download", (b, t) => t[0], [(x, [6, 8])]);
        Check(gpu, "leaky_relu kernel", (b, t) => Map(b, t[0], UnaryOp.LeakyRelu), [(x, [6, 8])]);
        Check(gpu, "sum reduction", (b, t) => Reduce(b, t[0]), [(x, [6, 8])]);
        Check(gpu, "GEMM (cuBLAS)", (b, t) => Multiply(b, t[0], t[1]), [(x, [6, 8]), (w, [8, 5])], product: true);
        Check(gpu, "convolution (cuDNN)", (b, t) => Convolve(b, g, t[0], t[1]), [(image, g.InputShape), (filter, g.WeightShape)], product: true);
    }

    private static float[] Values(int n, ulong seed)
    {
        var generator = new Generator(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)(2 * generator.NextUniform() - 1);
        return v;
    }

    private static Tensor Map(IBackend b, Tensor x, UnaryOp op)
    {
        Tensor y = Tensor.Empty(x.Shape, x.DType, b);
        b.Unary(op, 0.2, x, y);
        return y;
    }

    private static Tensor Reduce(IBackend b, Tensor x)
    {
        Tensor y = Tensor.Empty(new Shape(1, x.Shape[1]), x.DType, b);
        b.SumTo(x, y);
        return y;
    }

    private static Tensor Multiply(IBackend b, Tensor x, Tensor w)
    {
        Tensor y = Tensor.Empty(new Shape(x.Shape[0], w.Shape[1]), x.DType, b);
        b.Gemm(false, false, 1, x, w, 0, y);
        return y;
    }

    private static Tensor Convolve(IBackend b, ConvGeometry g, Tensor x, Tensor w)
    {
        Tensor y = Tensor.Empty(new Shape(g.OutputShape), x.DType, b);
        b.Conv2d(g, x, w, y);
        return y;
    }

    /// <summary>Runs <paramref name="op"/> on both backends from the same inputs and compares element by element.</summary>
    private static void Check(CudaBackend gpu, string what, Func<IBackend, Tensor[], Tensor> op, (float[] Data, int[] Shape)[] inputs,
        bool product = false)
    {
        bool rounded = product && gpu.Precision == Precision.Bf16;
        float[] expected = Compute(CpuBackend.Default, rounded), actual;
        try
        {
            actual = Compute(gpu, false);
        }
        catch (Exception e) when (e is CudaException or InvalidOperationException or ArgumentException)
        {
            throw new InvalidOperationException($"the CUDA backend failed its start-up check '{what}': {e.Message}", e);
        }
        for (int i = 0; i < expected.Length; i++)
            if (!(Math.Abs(expected[i] - actual[i]) <= Tolerance * (1 + Math.Abs(expected[i]))))
                throw new InvalidOperationException($"the CUDA backend failed its start-up check '{what}': element {i} is {actual[i]} on " +
                                                    $"{gpu.Name} but {expected[i]} on the CPU (a driver or library that computes wrongly; see tools/gpu/README.md)");

        float[] Compute(IBackend b, bool toBFloat16) =>
            op(b, Array.ConvertAll(inputs, input => Tensor.FromSpan<float>(toBFloat16 ? Array.ConvertAll(input.Data, BFloat16Rounding.Round) : input.Data,
                new Shape(input.Shape), DType.Float32, b))).ToFloatArray();
    }
}
