using RawGan.Backends;
using RawGan.Backends.Cuda;
using RawGan.Tensors;
using static RawGan.Backends.Cuda.CudaCheck;

namespace RawGan.Bench;

/// <summary>
/// The backend's three convolution passes on the DCGAN-64 layers at batch 128 against cuDNN called directly with
/// the fastest algorithm cudnnFindConvolution*AlgorithmEx measures (what PyTorch does with cudnn.benchmark = True),
/// TF32 off and on. The backend chooses as its <see cref="CudaBackend.ConvSearch"/> says (Find too by default, but
/// deterministic algorithms only; cuDNN's heuristic ranking, PyTorch's default, with RAWGAN_CUDNN_BENCHMARK=0), so
/// the ratio shows what the backend's choice costs, layer by layer. Both sides obey the same other rules: float32
/// NCHW, FMA math only with TF32 off, workspaces up to <see cref="ConvAlgorithmSearch.MaxWorkspaceBytes"/>.
/// </summary>
internal static unsafe class CudnnBench
{
    private const int Batch = 128;

    private enum Pass { Forward, BackwardData, BackwardFilter }

    private static readonly (Pass Pass, string Label)[] Passes =
        [(Pass.Forward, "fwd"), (Pass.BackwardData, "bwd-data"), (Pass.BackwardFilter, "bwd-filter")];

    /// <summary>Prints one line per layer, pass and TF32 setting; returns the number of cases that failed.</summary>
    public static int Run(CudaBackend device, DeviceTimer timer)
    {
        Console.WriteLine($"# kind layer:pass:math rawgan-ms rawgan-GFLOP/s cudnn-ms cudnn-GFLOP/s ratio algo   (DCGAN-64 at batch {Batch}; " +
                          "G layers: bwd-data is the transposed conv's forward; ratio = cuDNN-Find time / RawGan time)");
        using var cudnn = new DirectCudnn(device);
        int failures = 0;
        foreach (Precision precision in new[] { Precision.Fp32, Precision.Tf32 })
        {
            CudaBackend b = CudaBackend.Get(device.Index, precision);
            bool tf32 = precision == Precision.Tf32;
            foreach ((string name, ConvGeometry g) in DcganLayers.At(Batch))
            {
                using var scope = new TensorScope();
                var rng = new Generator(21);
                Tensor x = Tensor.Rand(new Shape(g.InputShape), rng, DType.Float32, b, -1, 1);
                Tensor w = Tensor.Rand(new Shape(g.WeightShape), rng, DType.Float32, b, -0.1, 0.1);
                Tensor dy = Tensor.Rand(new Shape(g.OutputShape), rng, DType.Float32, b, -1, 1);
                Tensor y = Tensor.Empty(new Shape(g.OutputShape), DType.Float32, b);
                Tensor dx = Tensor.Empty(new Shape(g.InputShape), DType.Float32, b);
                Tensor dw = Tensor.Empty(new Shape(g.WeightShape), DType.Float32, b);
                foreach ((Pass pass, string label) in Passes)
                {
                    Action ours = pass switch
                    {
                        Pass.Forward => () => b.Conv2d(g, x, w, y),
                        Pass.BackwardData => () => b.Conv2dBackwardData(g, dy, w, dx),
                        _ => () => b.Conv2dBackwardFilter(g, x, dy, dw),
                    };
                    (Tensor first, Tensor second, Tensor output) operands = pass switch
                    {
                        Pass.Forward => (x, w, y),
                        Pass.BackwardData => (dy, w, dx),
                        _ => (x, dy, dw),
                    };
                    failures += KernelBench.Measure($"conv {name}:{label}:{(tf32 ? "tf32" : "fp32")}", () =>
                    {
                        using var direct = new DirectConv(b, cudnn.Handle, g, pass, tf32, operands);
                        double rawgan = timer.MedianMilliseconds(ours);
                        double library = timer.MedianMilliseconds(direct.Run);
                        double flops = 2.0 * g.MacCount;
                        return $"{rawgan:F4} {flops / rawgan / 1e6:F1} {library:F4} {flops / library / 1e6:F1} {library / rawgan:F2} {direct.Describe()}";
                    });
                }
            }
        }
        return failures;
    }

    /// <summary>
    /// One pass of one geometry on cuDNN, on given operands: its descriptors, the algorithm Find measured fastest on
    /// them among those the rules allow (with a workspace of <see cref="ConvAlgorithmSearch.MaxWorkspaceBytes"/> to try
    /// them in), that algorithm's math type set on the convolution descriptor (which cuDNN needs to run the variant
    /// it timed), and its workspace from the backend's pool. DCGAN's paddings are symmetric, so no explicit padding
    /// copy is needed (the backend's asymmetric-padding path is not exercised here).
    /// </summary>
    private sealed class DirectConv : IDisposable
    {
        private readonly nint _handle, _x, _w, _y, _conv;
        private readonly Pass _pass;
        private readonly ulong _first, _second, _output;
        private readonly CudnnAlgoPerf _choice;
        private readonly CudaBackend.ScratchBuffer _workspace;

        /// <param name="operands">Forward: (x, w) → y; backward data: (dy, w) → dx; backward filter: (x, dy) → dw.</param>
        public DirectConv(CudaBackend backend, nint handle, ConvGeometry g, Pass pass, bool tf32, (Tensor First, Tensor Second, Tensor Output) operands)
        {
            if (g.PadTop != g.PadBottom || g.PadLeft != g.PadRight) throw new ArgumentException($"DirectConv: asymmetric padding in {g}.");
            _handle = handle;
            _pass = pass;
            (_first, _second, _output) = (CudaBackend.Ptr(operands.First), CudaBackend.Ptr(operands.Second), CudaBackend.Ptr(operands.Output));
            try
            {
                CheckCudnn(Interop.Cudnn.cudnnCreateTensorDescriptor(out _x));
                CheckCudnn(Interop.Cudnn.cudnnSetTensor4dDescriptor(_x, Interop.Cudnn.TensorNchw, Interop.Cudnn.DataFloat, g.N, g.C, g.H, g.W));
                CheckCudnn(Interop.Cudnn.cudnnCreateTensorDescriptor(out _y));
                CheckCudnn(Interop.Cudnn.cudnnSetTensor4dDescriptor(_y, Interop.Cudnn.TensorNchw, Interop.Cudnn.DataFloat, g.N, g.K, g.P, g.Q));
                CheckCudnn(Interop.Cudnn.cudnnCreateFilterDescriptor(out _w));
                CheckCudnn(Interop.Cudnn.cudnnSetFilter4dDescriptor(_w, Interop.Cudnn.DataFloat, Interop.Cudnn.TensorNchw, g.K, g.C, g.R, g.S));
                CheckCudnn(Interop.Cudnn.cudnnCreateConvolutionDescriptor(out _conv));
                CheckCudnn(Interop.Cudnn.cudnnSetConvolution2dDescriptor(_conv, g.PadTop, g.PadLeft, g.StrideH, g.StrideW, 1, 1,
                    Interop.Cudnn.CrossCorrelation, Interop.Cudnn.DataFloat));
                CheckCudnn(Interop.Cudnn.cudnnSetConvolutionMathType(_conv, tf32 ? Interop.Cudnn.DefaultMath : Interop.Cudnn.FmaMath));
                using (CudaBackend.ScratchBuffer trial = backend.Scratch(backend.ConvSearch.MaxWorkspaceBytes))
                    _choice = Find(tf32, g, trial);
                CheckCudnn(Interop.Cudnn.cudnnSetConvolutionMathType(_conv, _choice.MathType));
                _workspace = backend.Scratch((long)_choice.Memory);
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public string Describe() => $"algo={_choice.Algo},math={_choice.MathType},workspace={_choice.Memory / 1048576.0:F1}MiB";

        /// <summary>The fastest result that succeeded, fits the workspace limit and, with TF32 off, ran in FMA math
        /// (with it on, any math but down-conversion to half precision, which TF32 does not allow).</summary>
        private CudnnAlgoPerf Find(bool tf32, ConvGeometry g, CudaBackend.ScratchBuffer trial)
        {
            const int max = 16;
            CudnnAlgoPerf* perf = stackalloc CudnnAlgoPerf[max];
            int got;
            ulong ws = trial.Pointer;
            nuint bytes = (nuint)trial.Bytes;
            switch (_pass)
            {
                case Pass.Forward:
                    CheckCudnn(Interop.Cudnn.cudnnFindConvolutionForwardAlgorithmEx(_handle, _x, _first, _w, _second, _conv, _y, _output,
                        max, out got, perf, ws, bytes));
                    break;
                case Pass.BackwardData:
                    CheckCudnn(Interop.Cudnn.cudnnFindConvolutionBackwardDataAlgorithmEx(_handle, _w, _second, _y, _first, _conv, _x, _output,
                        max, out got, perf, ws, bytes));
                    break;
                default:
                    CheckCudnn(Interop.Cudnn.cudnnFindConvolutionBackwardFilterAlgorithmEx(_handle, _x, _first, _y, _second, _conv, _w, _output,
                        max, out got, perf, ws, bytes));
                    break;
            }
            var rejected = new List<string>();
            for (int i = 0; i < got; i++)
            {
                CudnnAlgoPerf p = perf[i];
                bool mathAllowed = tf32 ? p.MathType != Interop.Cudnn.TensorOpMathAllowConversion : p.MathType == Interop.Cudnn.FmaMath;
                if (p.Status == Interop.Cudnn.StatusSuccess && mathAllowed && (long)p.Memory <= trial.Bytes) return p;
                rejected.Add($"algo {p.Algo} status {p.Status} math {p.MathType} workspace {(long)p.Memory}");
            }
            throw new InvalidOperationException(
                $"cudnnFind ({_pass}) returned no usable algorithm for {g}: {(rejected.Count == 0 ? "none" : string.Join("; ", rejected))}.");
        }

        /// <summary>The pass on the operands given at construction, with the algorithm Find chose.</summary>
        public void Run()
        {
            float one = 1, zero = 0;
            int algo = _choice.Algo;
            nuint bytes = _choice.Memory;
            ulong work = bytes > 0 ? _workspace.Pointer : 0;
            switch (_pass)
            {
                case Pass.Forward:
                    CheckCudnn(Interop.Cudnn.cudnnConvolutionForward(_handle, &one, _x, _first, _w, _second, _conv, algo, work, bytes,
                        &zero, _y, _output));
                    break;
                case Pass.BackwardData:
                    CheckCudnn(Interop.Cudnn.cudnnConvolutionBackwardData(_handle, &one, _w, _second, _y, _first, _conv, algo, work, bytes,
                        &zero, _x, _output));
                    break;
                default:
                    CheckCudnn(Interop.Cudnn.cudnnConvolutionBackwardFilter(_handle, &one, _x, _first, _y, _second, _conv, algo, work, bytes,
                        &zero, _w, _output));
                    break;
            }
        }

        public void Dispose()
        {
            if (_workspace.Pointer != 0) _workspace.Dispose();
            if (_conv != 0) Interop.Cudnn.cudnnDestroyConvolutionDescriptor(_conv);
            if (_w != 0) Interop.Cudnn.cudnnDestroyFilterDescriptor(_w);
            if (_y != 0) Interop.Cudnn.cudnnDestroyTensorDescriptor(_y);
            if (_x != 0) Interop.Cudnn.cudnnDestroyTensorDescriptor(_x);
        }
    }
}
