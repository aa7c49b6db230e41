using RawGan.Backends;
using RawGan.Backends.Cuda;
using RawGan.Tensors;
using static RawGan.Backends.Cuda.CudaCheck;

namespace RawGan.Bench;

/// <summary>
/// The backend's row-major <see cref="CudaBackend.Gemm"/> against cublasSgemm called directly, on the same buffers,
/// with TF32 off and on. The backend is that same cuBLAS call behind IBackend, so the two should agree within noise:
/// a gap means overhead in the wrapper or an operand mapping that sends cuBLAS down a slower path. The direct call
/// writes the row-major-to-column-major mapping out again (C row-major [m, n] is Cᵀ column-major: Cᵀ = op(B)ᵀ·op(A)ᵀ),
/// independently of the backend's code, on its own handle bound to the backend's stream.
/// </summary>
internal static unsafe class CublasBench
{
    /// <summary>Square products, then DCGAN-64 at batch 128 as matrix products: the TensorFlow variant's dense layer
    /// (z [128, 100] · Wᵀ, W [8192, 100]) and its two gradients as F.Linear computes them, and D2's convolution as
    /// the implicit GEMM cuDNN runs (N·P·Q × K × C·R·S).</summary>
    private static readonly (string Name, int M, int N, int K, bool TransA, bool TransB)[] Shapes =
    [
        ("1024^3", 1024, 1024, 1024, false, false),
        ("2048^3", 2048, 2048, 2048, false, false),
        ("4096^3", 4096, 4096, 4096, false, false),
        ("8192^3", 8192, 8192, 8192, false, false),
        ("dense-fwd:128x8192x100:NT", 128, 8192, 100, false, true),
        ("dense-dx:128x100x8192:NN", 128, 100, 8192, false, false),
        ("dense-dw:8192x100x128:TN", 8192, 100, 128, true, false),
        ("D2-implicit:32768x128x1024:NN", 32768, 128, 1024, false, false),
    ];

    /// <summary>Prints one line per shape and TF32 setting; returns the number of cases that failed.</summary>
    public static int Run(CudaBackend device, DeviceTimer timer)
    {
        Console.WriteLine("# kind case:math rawgan-ms rawgan-GFLOP/s cublas-ms cublas-GFLOP/s ratio   (ratio = cuBLAS time / RawGan time)");
        device.MakeCurrent();
        CheckCublas(Interop.Cublas.cublasCreate(out nint handle));
        int failures = 0;
        try
        {
            CheckCublas(Interop.Cublas.cublasSetStream(handle, device.Stream));
            foreach (Precision precision in new[] { Precision.Fp32, Precision.Tf32 })
            {
                CudaBackend b = CudaBackend.Get(device.Index, precision);
                bool tf32 = precision == Precision.Tf32;
                CheckCublas(Interop.Cublas.cublasSetMathMode(handle, tf32 ? Interop.Cublas.Tf32TensorOpMath : Interop.Cublas.DefaultMath));
                foreach (var shape in Shapes)
                    failures += KernelBench.Measure($"gemm {shape.Name}:{(tf32 ? "tf32" : "fp32")}", () => Time(b, timer, handle, shape));
            }
        }
        finally
        {
            Interop.Cublas.cublasDestroy(handle);
        }
        return failures;
    }

    private static string Time(CudaBackend b, DeviceTimer timer, nint handle, (string Name, int M, int N, int K, bool TransA, bool TransB) s)
    {
        using var scope = new TensorScope();
        var rng = new Generator(11);
        Tensor a = Tensor.Rand(s.TransA ? new Shape(s.K, s.M) : new Shape(s.M, s.K), rng, DType.Float32, b, -1, 1);
        Tensor bm = Tensor.Rand(s.TransB ? new Shape(s.N, s.K) : new Shape(s.K, s.N), rng, DType.Float32, b, -1, 1);
        Tensor c = Tensor.Rand(new Shape(s.M, s.N), rng, DType.Float32, b, -1, 1);
        double ours = timer.MedianMilliseconds(() => b.Gemm(s.TransA, s.TransB, 1, a, bm, 0, c));
        double theirs = timer.MedianMilliseconds(() =>
        {
            float one = 1, zero = 0;
            CheckCublas(Interop.Cublas.cublasSgemm(handle,
                s.TransB ? Interop.Cublas.OpT : Interop.Cublas.OpN, s.TransA ? Interop.Cublas.OpT : Interop.Cublas.OpN,
                s.N, s.M, s.K, &one, CudaBackend.Ptr(bm), s.TransB ? s.K : s.N, CudaBackend.Ptr(a), s.TransA ? s.M : s.K,
                &zero, CudaBackend.Ptr(c), s.N));
        });
        double flops = 2.0 * s.M * s.N * s.K;
        return $"{ours:F4} {flops / ours / 1e6:F1} {theirs:F4} {flops / theirs / 1e6:F1} {theirs / ours:F2}";
    }
}
