using RawGan.Tensors;
using static RawGan.Backends.Cuda.CudaCheck;

namespace RawGan.Backends.Cuda;

public sealed partial class CudaBackend
{
    /// <summary>Largest cuDNN workspace an algorithm may ask for; algorithms wanting more are passed over.</summary>
    public static long MaxConvWorkspaceBytes { get; set; } = 1L << 30;

    private readonly Dictionary<(ConvGeometry, bool), ConvPlan> _convPlans = [];
    private readonly Lock _convGate = new();

    public unsafe void Conv2d(ConvGeometry g, Tensor x, Tensor w, Tensor y)
    {
        RequireFloat32("conv2d", x);
        if (g.N == 0 || g.K == 0 || g.P <= 0 || g.Q <= 0) return;
        MakeCurrent();
        ConvPlan plan = Plan(g);
        lock (_libraryGate)
        {
            if (plan.Padded)
            {
                using ScratchBuffer xp = Scratch(plan.PaddedInputBytes, zeroed: true);
                plan.Pad(this, Ptr(x), xp.Pointer);
                plan.Forward(this, xp.Pointer, Ptr(w), Ptr(y));
            }
            else plan.Forward(this, Ptr(x), Ptr(w), Ptr(y));
        }
    }

    public void Conv2dBackwardData(ConvGeometry g, Tensor dy, Tensor w, Tensor dx)
    {
        RequireFloat32("conv2d_backward_data", dy);
        if (g.N == 0 || g.C == 0) return;
        MakeCurrent();
        if (g.K == 0 || g.P <= 0 || g.Q <= 0)
        {
            Fill(dx, 0);
            return;
        }
        ConvPlan plan = Plan(g);
        lock (_libraryGate)
        {
            if (plan.Padded)
            {
                using ScratchBuffer dxp = Scratch(plan.PaddedInputBytes);
                plan.BackwardData(this, Ptr(dy), Ptr(w), dxp.Pointer);
                plan.Crop(this, dxp.Pointer, Ptr(dx));
            }
            else plan.BackwardData(this, Ptr(dy), Ptr(w), Ptr(dx));
        }
    }

    public void Conv2dBackwardFilter(ConvGeometry g, Tensor x, Tensor dy, Tensor dw)
    {
        RequireFloat32("conv2d_backward_filter", x);
        if (g.K == 0 || g.C == 0) return;
        MakeCurrent();
        if (g.N == 0 || g.P <= 0 || g.Q <= 0)
        {
            Fill(dw, 0);
            return;
        }
        ConvPlan plan = Plan(g);
        lock (_libraryGate)
        {
            if (plan.Padded)
            {
                using ScratchBuffer xp = Scratch(plan.PaddedInputBytes, zeroed: true);
                plan.Pad(this, Ptr(x), xp.Pointer);
                plan.BackwardFilter(this, xp.Pointer, Ptr(dy), Ptr(dw));
            }
            else plan.BackwardFilter(this, Ptr(x), Ptr(dy), Ptr(dw));
        }
    }

    private ConvPlan Plan(ConvGeometry g)
    {
        bool tf32 = AllowTf32;
        lock (_convGate)
        {
            if (!_convPlans.TryGetValue((g, tf32), out ConvPlan? plan))
                _convPlans[(g, tf32)] = plan = new ConvPlan(this, g, tf32);
            return plan;
        }
    }

    /// <summary>
    /// The cuDNN descriptors and chosen algorithms for one geometry (and TF32 setting), made on first use.
    /// cuDNN pads symmetrically only; an asymmetric padding (TensorFlow's 'same' at even sizes) becomes an explicit
    /// zero border on the input: the input is copied into a buffer larger by |top - bottom| rows and
    /// |left - right| columns, offset by the excess on the larger side, and convolved with the smaller padding on
    /// both sides, which gives the same output size and values. Backward data computes into such a buffer and crops.
    /// </summary>
    private sealed class ConvPlan
    {
        private readonly ConvGeometry _g;
        private readonly CudnnTensorDescriptor _x, _y;
        private readonly CudnnFilterDescriptor _w;
        private readonly CudnnConvolutionDescriptor _fwdConv, _dataConv, _filterConv;
        private readonly bool _tf32;
        private readonly int _hp, _wp, _offTop, _offLeft;
        private (int Algo, long Workspace)? _fwd, _data, _filter;

        public ConvPlan(CudaBackend b, ConvGeometry g, bool tf32)
        {
            _g = g;
            _tf32 = tf32;
            Padded = g.PadTop != g.PadBottom || g.PadLeft != g.PadRight;
            int padH = Math.Min(g.PadTop, g.PadBottom), padW = Math.Min(g.PadLeft, g.PadRight);
            _hp = g.H + Math.Abs(g.PadTop - g.PadBottom);
            _wp = g.W + Math.Abs(g.PadLeft - g.PadRight);
            _offTop = Math.Max(0, g.PadTop - g.PadBottom);
            _offLeft = Math.Max(0, g.PadLeft - g.PadRight);
            PaddedInputBytes = (long)g.N * g.C * _hp * _wp * sizeof(float);

            _x = TensorDescriptor(g.N, g.C, _hp, _wp);
            _y = TensorDescriptor(g.N, g.K, g.P, g.Q);
            CheckCudnn(Interop.Cudnn.cudnnCreateFilterDescriptor(out nint w));
            _w = new CudnnFilterDescriptor(w);
            CheckCudnn(Interop.Cudnn.cudnnSetFilter4dDescriptor(w, Interop.Cudnn.DataFloat, Interop.Cudnn.TensorNchw, g.K, g.C, g.R, g.S));
            _fwdConv = ConvDescriptor(padH, padW);
            _dataConv = ConvDescriptor(padH, padW);
            _filterConv = ConvDescriptor(padH, padW);
        }

        public bool Padded { get; }
        public long PaddedInputBytes { get; }

        private static CudnnTensorDescriptor TensorDescriptor(int n, int c, int h, int w)
        {
            CheckCudnn(Interop.Cudnn.cudnnCreateTensorDescriptor(out nint d));
            var handle = new CudnnTensorDescriptor(d);
            CheckCudnn(Interop.Cudnn.cudnnSetTensor4dDescriptor(d, Interop.Cudnn.TensorNchw, Interop.Cudnn.DataFloat, n, c, h, w));
            return handle;
        }

        private CudnnConvolutionDescriptor ConvDescriptor(int padH, int padW)
        {
            CheckCudnn(Interop.Cudnn.cudnnCreateConvolutionDescriptor(out nint d));
            var handle = new CudnnConvolutionDescriptor(d);
            CheckCudnn(Interop.Cudnn.cudnnSetConvolution2dDescriptor(d, padH, padW, _g.StrideH, _g.StrideW, 1, 1,
                Interop.Cudnn.CrossCorrelation, Interop.Cudnn.DataFloat));
            CheckCudnn(Interop.Cudnn.cudnnSetConvolutionMathType(d, _tf32 ? Interop.Cudnn.DefaultMath : Interop.Cudnn.FmaMath));
            return handle;
        }

        // ---- explicit padding -------------------------------------------------------------------------------
        /// <summary>x [N·C planes of H×W] into the zeroed padded buffer [N·C planes of Hp×Wp] at (offTop, offLeft).</summary>
        public void Pad(CudaBackend b, ulong x, ulong xp) =>
            b.CopyStrided3D(x, 0, (long)_g.W * 4, _g.H, xp, (long)_wp * 4, _hp, (long)_g.W * 4, _g.H, (long)_g.N * _g.C,
                dstXBytes: (long)_offLeft * 4, dstY: _offTop);

        /// <summary>The H×W window at (offTop, offLeft) of each padded plane into dx.</summary>
        public void Crop(CudaBackend b, ulong xp, ulong dx) =>
            b.CopyStrided3D(xp, _offTop, (long)_wp * 4, _hp, dx, (long)_g.W * 4, _g.H, (long)_g.W * 4, _g.H, (long)_g.N * _g.C,
                srcXBytes: (long)_offLeft * 4);

        // ---- the three convolutions ---------------------------------------------------------------------------
        public unsafe void Forward(CudaBackend b, ulong x, ulong w, ulong y)
        {
            var (algo, ws) = _fwd ??= Choose(b, "forward", _fwdConv, (h, perf, n) =>
            {
                CheckCudnn(Interop.Cudnn.cudnnGetConvolutionForwardAlgorithm_v7(h, _x.Value, _w.Value, _fwdConv.Value, _y.Value, n, out int got, perf));
                return got;
            }, (h, a) =>
            {
                CheckCudnn(Interop.Cudnn.cudnnGetConvolutionForwardWorkspaceSize(h, _x.Value, _w.Value, _fwdConv.Value, _y.Value, a, out nuint s));
                return (long)s;
            });
            float one = 1, zero = 0;
            using ScratchBuffer work = b.Scratch(ws);
            CheckCudnn(Interop.Cudnn.cudnnConvolutionForward(b._cudnn.Value, &one, _x.Value, x, _w.Value, w, _fwdConv.Value, algo,
                ws > 0 ? work.Pointer : 0, (nuint)ws, &zero, _y.Value, y));
        }

        public unsafe void BackwardData(CudaBackend b, ulong dy, ulong w, ulong dx)
        {
            var (algo, ws) = _data ??= Choose(b, "backward data", _dataConv, (h, perf, n) =>
            {
                CheckCudnn(Interop.Cudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(h, _w.Value, _y.Value, _dataConv.Value, _x.Value, n, out int got, perf));
                return got;
            }, (h, a) =>
            {
                CheckCudnn(Interop.Cudnn.cudnnGetConvolutionBackwardDataWorkspaceSize(h, _w.Value, _y.Value, _dataConv.Value, _x.Value, a, out nuint s));
                return (long)s;
            });
            float one = 1, zero = 0;
            using ScratchBuffer work = b.Scratch(ws);
            CheckCudnn(Interop.Cudnn.cudnnConvolutionBackwardData(b._cudnn.Value, &one, _w.Value, w, _y.Value, dy, _dataConv.Value, algo,
                ws > 0 ? work.Pointer : 0, (nuint)ws, &zero, _x.Value, dx));
        }

        public unsafe void BackwardFilter(CudaBackend b, ulong x, ulong dy, ulong dw)
        {
            var (algo, ws) = _filter ??= Choose(b, "backward filter", _filterConv, (h, perf, n) =>
            {
                CheckCudnn(Interop.Cudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(h, _x.Value, _y.Value, _filterConv.Value, _w.Value, n, out int got, perf));
                return got;
            }, (h, a) =>
            {
                CheckCudnn(Interop.Cudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(h, _x.Value, _y.Value, _filterConv.Value, _w.Value, a, out nuint s));
                return (long)s;
            });
            float one = 1, zero = 0;
            using ScratchBuffer work = b.Scratch(ws);
            CheckCudnn(Interop.Cudnn.cudnnConvolutionBackwardFilter(b._cudnn.Value, &one, _x.Value, x, _y.Value, dy, _filterConv.Value, algo,
                ws > 0 ? work.Pointer : 0, (nuint)ws, &zero, _w.Value, dw));
        }

        private unsafe delegate int Heuristic(nint handle, CudnnAlgoPerf* perf, int requested);

        /// <summary>cuDNN's heuristic ranking (the _v7 query, no benchmarking): the first algorithm that is supported,
        /// respects the TF32 setting and fits <see cref="MaxConvWorkspaceBytes"/>. With TF32 allowed, the
        /// descriptor takes the math type that algorithm was ranked with, as PyTorch does.</summary>
        private unsafe (int, long) Choose(CudaBackend b, string what, CudnnConvolutionDescriptor conv, Heuristic query, Func<nint, int, long> workspace)
        {
            const int max = 16;
            CudnnAlgoPerf* perf = stackalloc CudnnAlgoPerf[max];
            int got = query(b._cudnn.Value, perf, max);
            var rejected = new List<string>();
            for (int i = 0; i < got; i++)
            {
                CudnnAlgoPerf p = perf[i];
                if (p.Status != Interop.Cudnn.StatusSuccess) { rejected.Add($"algo {p.Algo}: status {p.Status}"); continue; }
                bool tensorOps = p.MathType is Interop.Cudnn.TensorOpMath or Interop.Cudnn.TensorOpMathAllowConversion;
                if (tensorOps && !_tf32) { rejected.Add($"algo {p.Algo}: tensor-op math with TF32 off"); continue; }
                if (_tf32) CheckCudnn(Interop.Cudnn.cudnnSetConvolutionMathType(conv.Value, p.MathType));
                long ws;
                try { ws = workspace(b._cudnn.Value, p.Algo); }
                catch (CudaException e) { rejected.Add($"algo {p.Algo}: workspace query failed ({e.Message})"); continue; }
                if (ws > MaxConvWorkspaceBytes) { rejected.Add($"algo {p.Algo}: workspace {ws} bytes"); continue; }
                return (p.Algo, ws);
            }
            throw new CudaException("cudnn", $"choosing a convolution {what} algorithm for {_g}", 0, "no usable algorithm", "",
                rejected.Count == 0 ? "cuDNN returned none" : string.Join("; ", rejected));
        }
    }
}
