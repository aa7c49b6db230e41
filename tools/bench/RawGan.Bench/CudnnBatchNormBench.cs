using RawGan.Backends;
using RawGan.Backends.Cuda;
using RawGan.Tensors;
using static RawGan.Backends.Cuda.CudaCheck;

namespace RawGan.Bench;

/// <summary>
/// The backend's training batch norm (kernels/batchnorm.ptx: split statistics, then the normalisation; the backward
/// likewise) against cuDNN's cudnnBatchNormalizationForwardTraining / cudnnBatchNormalizationBackward, on the
/// batch-norm layers of DCGAN-64 at batch 128, in cuDNN's two spatial modes. The GPU issue leaves batch norm to our
/// PTX "or cuDNN's where it is faster — measure": these lines are that measurement. Each case first checks that the
/// two agree (the largest |difference| of y, or of dx, is printed) and prints no time for a pair that disagrees.
/// </summary>
internal static unsafe class CudnnBatchNormBench
{
    private const int Batch = 128;
    private const double Momentum = 0.1, Eps = 1e-5;

    /// <summary>Results further apart than this (inputs in [-1, 1], weights near 1) mean one side is wrong.</summary>
    private const double Agreement = 1e-3;

    /// <summary>DCGAN-64's batch norms: the generator's after each transposed convolution but the last, the
    /// discriminator's after each convolution but the first and the last (three of them the generator's shapes).</summary>
    private static readonly (string Name, int Channels, int Size)[] Layers =
        [("G1,D4:bn512@4", 512, 4), ("G2,D3:bn256@8", 256, 8), ("G3,D2:bn128@16", 128, 16), ("G4:bn64@32", 64, 32)];

    private static readonly (int Mode, string Label)[] Modes =
        [(Interop.Cudnn.BatchNormSpatial, "spatial"), (Interop.Cudnn.BatchNormSpatialPersistent, "persistent")];

    /// <summary>Prints one line per layer, pass and mode; returns the number of cases that failed.</summary>
    public static int Run(CudaBackend b, DeviceTimer timer)
    {
        Console.WriteLine($"# kind layer:pass:mode rawgan-ms cudnn-ms ratio max|diff|   (DCGAN-64 batch norm at batch {Batch}, training; " +
                          "ratio = cuDNN time / RawGan time)");
        using var cudnn = new DirectCudnn(b);
        int failures = 0;
        foreach ((string name, int channels, int size) in Layers)
        {
            using var scope = new TensorScope();
            using var layer = new Layer(b, channels, size);
            foreach ((int mode, string label) in Modes)
            {
                failures += KernelBench.Measure($"bn {name}:fwd:{label}", () =>
                    Compare(timer, layer.Forward, () => layer.CudnnForward(cudnn.Handle, mode), layer.Y, layer.CudnnY));
                failures += KernelBench.Measure($"bn {name}:bwd:{label}", () =>
                    Compare(timer, layer.Backward, () => layer.CudnnBackward(cudnn.Handle, mode), layer.Dx, layer.CudnnDx));
            }
        }
        return failures;
    }

    private static string Compare(DeviceTimer timer, Action ours, Action cudnn, Tensor result, Tensor cudnnResult)
    {
        ours();
        cudnn();
        float[] a = result.ToFloatArray(), c = cudnnResult.ToFloatArray();
        double diff = a.Zip(c, (p, q) => (double)Math.Abs(p - q)).Max();
        if (!(diff <= Agreement)) throw new InvalidOperationException($"RawGan and cuDNN disagree: max |difference| {diff:G3}");
        double rawgan = timer.MedianMilliseconds(ours), library = timer.MedianMilliseconds(cudnn);
        return $"{rawgan:F4} {library:F4} {library / rawgan:F2} {diff:G3}";
    }

    /// <summary>One layer's operands (random, never zeros), both sides' outputs and cuDNN's two descriptors. Both
    /// backward passes take the batch statistics of the backend's forward, so their inputs are identical.</summary>
    private sealed class Layer : IDisposable
    {
        private readonly CudaBackend _b;
        private readonly Tensor _x, _dy, _weight, _bias, _runningMean, _runningVar, _mean, _invStd, _dWeight, _dBias;
        private readonly Tensor _cudnnRunningMean, _cudnnRunningVar, _cudnnMean, _cudnnInvStd, _cudnnDWeight, _cudnnDBias;
        private readonly nint _xDesc, _channelDesc;

        public Tensor Y { get; }
        public Tensor Dx { get; }
        public Tensor CudnnY { get; }
        public Tensor CudnnDx { get; }

        public Layer(CudaBackend b, int channels, int size)
        {
            _b = b;
            var rng = new Generator(31);
            Tensor Uniform(Shape shape, double low = -1, double high = 1) => Tensor.Rand(shape, rng, DType.Float32, b, low, high);
            Shape data = new(Batch, channels, size, size), perChannel = new(channels);
            (_x, _dy) = (Uniform(data), Uniform(data));
            (_weight, _bias) = (Uniform(perChannel, 0.5, 1.5), Uniform(perChannel));
            (_runningMean, _runningVar) = (Uniform(perChannel), Uniform(perChannel, 0.5, 1.5));
            (_cudnnRunningMean, _cudnnRunningVar) = (Uniform(perChannel), Uniform(perChannel, 0.5, 1.5));
            (Y, Dx, CudnnY, CudnnDx) = (Uniform(data), Uniform(data), Uniform(data), Uniform(data));
            (_mean, _invStd, _dWeight, _dBias) = (Uniform(perChannel), Uniform(perChannel), Uniform(perChannel), Uniform(perChannel));
            (_cudnnMean, _cudnnInvStd, _cudnnDWeight, _cudnnDBias) = (Uniform(perChannel), Uniform(perChannel), Uniform(perChannel), Uniform(perChannel));
            try
            {
                CheckCudnn(Interop.Cudnn.cudnnCreateTensorDescriptor(out _xDesc));
                CheckCudnn(Interop.Cudnn.cudnnSetTensor4dDescriptor(_xDesc, Interop.Cudnn.TensorNchw, Interop.Cudnn.DataFloat, Batch, channels, size, size));
                CheckCudnn(Interop.Cudnn.cudnnCreateTensorDescriptor(out _channelDesc));
                CheckCudnn(Interop.Cudnn.cudnnSetTensor4dDescriptor(_channelDesc, Interop.Cudnn.TensorNchw, Interop.Cudnn.DataFloat, 1, channels, 1, 1));
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public void Forward() =>
            _b.BatchNormForward(_x, _weight, _bias, _runningMean, _runningVar, true, Momentum, Eps, Y, _mean, _invStd);

        public void Backward() => _b.BatchNormBackward(_x, _dy, _weight, _mean, _invStd, true, Dx, _dWeight, _dBias);

        public void CudnnForward(nint handle, int mode)
        {
            float one = 1, zero = 0;
            CheckCudnn(Interop.Cudnn.cudnnBatchNormalizationForwardTraining(handle, mode, &one, &zero, _xDesc, Ptr(_x), _xDesc, Ptr(CudnnY),
                _channelDesc, Ptr(_weight), Ptr(_bias), Momentum, Ptr(_cudnnRunningMean), Ptr(_cudnnRunningVar), Eps,
                Ptr(_cudnnMean), Ptr(_cudnnInvStd)));
        }

        public void CudnnBackward(nint handle, int mode)
        {
            float one = 1, zero = 0;
            CheckCudnn(Interop.Cudnn.cudnnBatchNormalizationBackward(handle, mode, &one, &zero, &one, &zero, _xDesc, Ptr(_x), _xDesc, Ptr(_dy),
                _xDesc, Ptr(CudnnDx), _channelDesc, Ptr(_weight), Ptr(_cudnnDWeight), Ptr(_cudnnDBias), Eps, Ptr(_mean), Ptr(_invStd)));
        }

        private static ulong Ptr(Tensor t) => CudaBackend.Ptr(t);

        public void Dispose()
        {
            if (_channelDesc != 0) Interop.Cudnn.cudnnDestroyTensorDescriptor(_channelDesc);
            if (_xDesc != 0) Interop.Cudnn.cudnnDestroyTensorDescriptor(_xDesc);
        }
    }
}
