using RawGan.Backends;
using RawGan.Backends.Cuda;
using RawGan.Tensors;

namespace RawGan.Bench;

/// <summary>
/// The backend's training batch norm on its two paths, kernels/batchnorm.ptx (split statistics, then the
/// normalisation; the backward likewise) against cuDNN's cudnnBatchNormalizationForwardTraining /
/// cudnnBatchNormalizationBackward in its two spatial modes, each through the backend (<see cref="CudaBackend.BatchNormPath"/>,
/// so the figures include what the backend adds), on the batch-norm layers of DCGAN-64 at batch 128. The GPU issue
/// keeps whichever is faster as the default and the other as the checked alternative: these lines decide. Each case
/// first checks that the two agree (the largest |difference| of y, or of dx, is printed) and prints no time for a
/// pair that disagrees.
/// </summary>
internal static class CudnnBatchNormBench
{
    private const int Batch = 128;
    private const double Momentum = 0.1, Eps = 1e-5;

    /// <summary>Results further apart than this (inputs in [-1, 1], weights near 1) mean one side is wrong.</summary>
    private const double Agreement = 1e-3;

    /// <summary>DCGAN-64's batch norms: the generator's after each transposed convolution but the last, the
    /// discriminator's after each convolution but the first and the last (three of them the generator's shapes).</summary>
    private static readonly (string Name, int Channels, int Size)[] Layers =
        [("G1,D4:bn512@4", 512, 4), ("G2,D3:bn256@8", 256, 8), ("G3,D2:bn128@16", 128, 16), ("G4:bn64@32", 64, 32)];

    private static readonly (CudaBatchNorm Path, string Label)[] Modes =
        [(CudaBatchNorm.CudnnSpatial, "spatial"), (CudaBatchNorm.CudnnPersistent, "persistent")];

    /// <summary>Prints one line per layer, pass and mode; returns the number of cases that failed.</summary>
    public static int Run(CudaBackend b, DeviceTimer timer)
    {
        Console.WriteLine($"# kind layer:pass:mode ptx-ms cudnn-ms ratio max|diff|   (DCGAN-64 batch norm at batch {Batch}, training, " +
                          $"through the backend; ratio = cuDNN time / PTX time; default path {b.BatchNormPath})");
        CudaBatchNorm before = b.BatchNormPath;
        int failures = 0;
        try
        {
            foreach ((string name, int channels, int size) in Layers)
            {
                using var scope = new TensorScope();
                var ptx = new Layer(b, channels, size);
                var cudnn = new Layer(b, channels, size);
                foreach ((CudaBatchNorm path, string label) in Modes)
                {
                    failures += KernelBench.Measure($"bn {name}:fwd:{label}", () =>
                        Compare(b, timer, path, ptx.Forward, cudnn.Forward, ptx.Y, cudnn.Y));
                    failures += KernelBench.Measure($"bn {name}:bwd:{label}", () =>
                        Compare(b, timer, path, ptx.Backward, cudnn.Backward, ptx.Dx, cudnn.Dx));
                }
            }
        }
        finally
        {
            b.BatchNormPath = before;
        }
        return failures;
    }

    private static string Compare(CudaBackend b, DeviceTimer timer, CudaBatchNorm path, Action ptx, Action cudnn, Tensor result, Tensor cudnnResult)
    {
        Action onPtx = () => { b.BatchNormPath = CudaBatchNorm.Ptx; ptx(); };
        Action onCudnn = () => { b.BatchNormPath = path; cudnn(); };
        onPtx();
        onCudnn();
        float[] a = result.ToFloatArray(), c = cudnnResult.ToFloatArray();
        double diff = a.Zip(c, (p, q) => (double)Math.Abs(p - q)).Max();
        if (!(diff <= Agreement)) throw new InvalidOperationException($"the PTX and cuDNN disagree: max |difference| {diff:G3}");
        double kernels = timer.MedianMilliseconds(onPtx), library = timer.MedianMilliseconds(onCudnn);
        return $"{kernels:F4} {library:F4} {library / kernels:F2} {diff:G3}";
    }

    /// <summary>One layer's operands (random, never zeros) and outputs, one per path: the inputs are drawn from the
    /// same seed, so both paths see identical x, dy and parameters; each backward takes its own forward's batch
    /// statistics.</summary>
    private sealed class Layer
    {
        private readonly CudaBackend _b;
        private readonly Tensor _x, _dy, _weight, _bias, _runningMean, _runningVar, _mean, _invStd, _dWeight, _dBias;

        public Tensor Y { get; }
        public Tensor Dx { get; }

        public Layer(CudaBackend b, int channels, int size)
        {
            _b = b;
            var rng = new Generator(31);
            Tensor Uniform(Shape shape, double low = -1, double high = 1) => Tensor.Rand(shape, rng, DType.Float32, b, low, high);
            Shape data = new(Batch, channels, size, size), perChannel = new(channels);
            (_x, _dy) = (Uniform(data), Uniform(data));
            (_weight, _bias) = (Uniform(perChannel, 0.5, 1.5), Uniform(perChannel));
            (_runningMean, _runningVar) = (Uniform(perChannel), Uniform(perChannel, 0.5, 1.5));
            (Y, Dx) = (Uniform(data), Uniform(data));
            (_mean, _invStd, _dWeight, _dBias) = (Uniform(perChannel), Uniform(perChannel), Uniform(perChannel), Uniform(perChannel));
        }

        public void Forward() =>
            _b.BatchNormForward(_x, _weight, _bias, _runningMean, _runningVar, true, Momentum, Eps, Y, _mean, _invStd);

        public void Backward() => _b.BatchNormBackward(_x, _dy, _weight, _mean, _invStd, true, Dx, _dWeight, _dBias);
    }
}
