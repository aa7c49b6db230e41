using RawGan.Tensors;
using static RawGan.Backends.Cuda.CudaCheck;

namespace RawGan.Backends.Cuda;

public sealed partial class CudaBackend
{
    /// <summary>How this device's convolutions choose their cuDNN algorithms (<see cref="ConvAlgorithmSearch"/>).</summary>
    public ConvAlgorithmSearch ConvSearch => Resources.ConvSearch;

    public unsafe void Conv2d(ConvGeometry g, Tensor x, Tensor w, Tensor y)
    {
        RequireFloat32("conv2d", x);
        if (g.N == 0 || g.K == 0 || g.P <= 0 || g.Q <= 0) return;
        MakeCurrent();
        ConvPlan plan = Plan(g, x.MemoryFormat);
        lock (Resources.LibraryGate)
        {
            using ScratchBuffer wn = FilterIn(x.MemoryFormat, g, w);
            ulong wp = x.MemoryFormat == MemoryFormat.ChannelsLast ? wn.Pointer : Ptr(w);
            if (plan.Padded)
            {
                using ScratchBuffer xp = Scratch(plan.PaddedInputBytes, zeroed: true);
                plan.Pad(this, Ptr(x), xp.Pointer);
                plan.Forward(this, xp.Pointer, wp, Ptr(y));
            }
            else plan.Forward(this, Ptr(x), wp, Ptr(y));
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
        ConvPlan plan = Plan(g, dy.MemoryFormat);
        lock (Resources.LibraryGate)
        {
            using ScratchBuffer wn = FilterIn(dy.MemoryFormat, g, w);
            ulong wp = dy.MemoryFormat == MemoryFormat.ChannelsLast ? wn.Pointer : Ptr(w);
            if (plan.Padded)
            {
                using ScratchBuffer dxp = Scratch(plan.PaddedInputBytes);
                plan.BackwardData(this, Ptr(dy), wp, dxp.Pointer);
                plan.Crop(this, dxp.Pointer, Ptr(dx));
            }
            else plan.BackwardData(this, Ptr(dy), wp, Ptr(dx));
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
        ConvPlan plan = Plan(g, x.MemoryFormat);
        bool nhwc = x.MemoryFormat == MemoryFormat.ChannelsLast;
        lock (Resources.LibraryGate)
        {
            // cuDNN's NHWC filter gradient is [K, R, S, C]: computed into scratch, then put back as [K, C, R, S].
            using ScratchBuffer dwn = Scratch(nhwc ? dw.Numel * sizeof(float) : 0);
            ulong dwp = nhwc ? dwn.Pointer : Ptr(dw);
            if (plan.Padded)
            {
                using ScratchBuffer xp = Scratch(plan.PaddedInputBytes, zeroed: true);
                plan.Pad(this, Ptr(x), xp.Pointer);
                plan.BackwardFilter(this, xp.Pointer, Ptr(dy), dwp);
            }
            else plan.BackwardFilter(this, Ptr(x), Ptr(dy), dwp);
            if (nhwc) Transpose(dwp, Ptr(dw), g.K, (long)g.R * g.S, g.C);
        }
    }

    private ConvPlan Plan(ConvGeometry g, MemoryFormat format)
    {
        lock (Resources.ConvGate)
        {
            if (!Resources.ConvPlans.TryGetValue((g, Precision, format), out ConvPlan? plan))
                Resources.ConvPlans[(g, Precision, format)] = plan = new ConvPlan(this, g, Precision, format);
            return plan;
        }
    }

    /// <summary>
    /// The cuDNN descriptors and chosen algorithms for one geometry and precision, made on first use and kept as
    /// long as the device (so the descriptors are never destroyed); the device's backends of that precision share it.
    /// cuDNN pads symmetrically only; an asymmetric padding (TensorFlow's 'same' at even sizes) becomes an explicit
    /// zero border on the input: the input is copied into a buffer larger by |top - bottom| rows and
    /// |left - right| columns, offset by the excess on the larger side, and convolved with the smaller padding on
    /// both sides, which gives the same output size and values. Backward data computes into such a buffer and crops.
    /// At <see cref="Precision.Bf16"/> the descriptors are bfloat16 with a float compute type (cuDNN's
    /// PSEUDO_BFLOAT16_CONFIG, whose output is bfloat16 too): each convolution casts its two float32 operands to
    /// bfloat16 scratch, and widens its bfloat16 result into the float32 output. In channels-last the activations'
    /// descriptors and the filter's are CUDNN_TENSOR_NHWC (the filter [K, R, S, C], see <see cref="FilterIn"/>), and
    /// the explicit padding works on N planes of H rows of W·C values instead of N·C planes of H rows of W.
    /// </summary>
    internal sealed class ConvPlan
    {
        private readonly ConvGeometry _g;
        private readonly ICudaApi _api;
        private readonly nint _x, _y, _w, _fwdConv, _dataConv, _filterConv;
        private readonly bool _tensorOps, _bf16;
        private readonly int _hp, _wp, _offTop, _offLeft;
        private readonly long _planes, _pixel; // for the padding: planes of H×W pixels of _pixel values each
        private (int Algo, long Workspace)? _fwd, _data, _filter;

        public ConvPlan(CudaBackend b, ConvGeometry g, Precision precision, MemoryFormat format)
        {
            _api = b.Api;
            _g = g;
            _tensorOps = precision != Precision.Fp32;
            _bf16 = precision == Precision.Bf16;
            int dataType = _bf16 ? Interop.Cudnn.DataBFloat16 : Interop.Cudnn.DataFloat;
            Padded = g.PadTop != g.PadBottom || g.PadLeft != g.PadRight;
            int padH = Math.Min(g.PadTop, g.PadBottom), padW = Math.Min(g.PadLeft, g.PadRight);
            _hp = g.H + Math.Abs(g.PadTop - g.PadBottom);
            _wp = g.W + Math.Abs(g.PadLeft - g.PadRight);
            _offTop = Math.Max(0, g.PadTop - g.PadBottom);
            _offLeft = Math.Max(0, g.PadLeft - g.PadRight);
            PaddedInputBytes = (long)g.N * g.C * _hp * _wp * sizeof(float);
            bool nhwc = format == MemoryFormat.ChannelsLast;
            (_planes, _pixel) = nhwc ? ((long)g.N, (long)g.C) : ((long)g.N * g.C, 1L);
            int layout = nhwc ? Interop.Cudnn.TensorNhwc : Interop.Cudnn.TensorNchw;

            _x = TensorDescriptor(layout, dataType, g.N, g.C, _hp, _wp);
            _y = TensorDescriptor(layout, dataType, g.N, g.K, g.P, g.Q);
            CheckCudnn(_api.cudnnCreateFilterDescriptor(out _w));
            CheckCudnn(_api.cudnnSetFilter4dDescriptor(_w, dataType, layout, g.K, g.C, g.R, g.S));
            _fwdConv = ConvDescriptor(padH, padW);
            _dataConv = ConvDescriptor(padH, padW);
            _filterConv = ConvDescriptor(padH, padW);
        }

        public bool Padded { get; }
        public long PaddedInputBytes { get; }

        private long XCount => (long)_g.N * _g.C * _hp * _wp;
        private long WCount => (long)_g.K * _g.C * _g.R * _g.S;
        private long YCount => (long)_g.N * _g.K * _g.P * _g.Q;

        private nint TensorDescriptor(int layout, int dataType, int n, int c, int h, int w)
        {
            CheckCudnn(_api.cudnnCreateTensorDescriptor(out nint d));
            CheckCudnn(_api.cudnnSetTensor4dDescriptor(d, layout, dataType, n, c, h, w));
            return d;
        }

        private nint ConvDescriptor(int padH, int padW)
        {
            CheckCudnn(_api.cudnnCreateConvolutionDescriptor(out nint d));
            CheckCudnn(_api.cudnnSetConvolution2dDescriptor(d, padH, padW, _g.StrideH, _g.StrideW, 1, 1,
                Interop.Cudnn.CrossCorrelation, Interop.Cudnn.DataFloat));
            CheckCudnn(_api.cudnnSetConvolutionMathType(d, _tensorOps ? Interop.Cudnn.DefaultMath : Interop.Cudnn.FmaMath));
            return d;
        }

        // ---- explicit padding -------------------------------------------------------------------------------
        /// <summary>x [planes of H×W pixels] into the zeroed padded buffer [planes of Hp×Wp] at (offTop, offLeft).</summary>
        public void Pad(CudaBackend b, ulong x, ulong xp) =>
            b.CopyStrided3D(x, 0, _g.W * PixelBytes, _g.H, xp, _wp * PixelBytes, _hp, _g.W * PixelBytes, _g.H, _planes,
                dstXBytes: _offLeft * PixelBytes, dstY: _offTop);

        /// <summary>The H×W window at (offTop, offLeft) of each padded plane into dx.</summary>
        public void Crop(CudaBackend b, ulong xp, ulong dx) =>
            b.CopyStrided3D(xp, _offTop, _wp * PixelBytes, _hp, dx, _g.W * PixelBytes, _g.H, _g.W * PixelBytes, _g.H, _planes,
                srcXBytes: _offLeft * PixelBytes);

        private long PixelBytes => _pixel * sizeof(float);

        // ---- the three convolutions ---------------------------------------------------------------------------
        public unsafe void Forward(CudaBackend b, ulong x, ulong w, ulong y)
        {
            var (algo, ws) = _fwd ??= Choose(b, "forward", _fwdConv, (h, perf, n) =>
            {
                CheckCudnn(_api.cudnnGetConvolutionForwardAlgorithm_v7(h, _x, _w, _fwdConv, _y, n, out int got, perf));
                return got;
            }, (h, perf, n, work, bytes) =>
            {
                CheckCudnn(_api.cudnnFindConvolutionForwardAlgorithmEx(h, _x, x, _w, w, _fwdConv, _y, y, n, out int got, perf, work, bytes));
                return got;
            }, (h, a) =>
            {
                CheckCudnn(_api.cudnnGetConvolutionForwardWorkspaceSize(h, _x, _w, _fwdConv, _y, a, out nuint s));
                return (long)s;
            });
            float one = 1, zero = 0;
            using ScratchBuffer work = b.Scratch(ws);
            if (!_bf16)
            {
                CheckCudnn(_api.cudnnConvolutionForward(b.Resources.Cudnn, &one, _x, x, _w, w, _fwdConv, algo,
                    ws > 0 ? work.Pointer : 0, (nuint)ws, &zero, _y, y));
                return;
            }
            using ScratchBuffer xb = b.ToBFloat16(x, XCount), wb = b.ToBFloat16(w, WCount), yb = b.BFloat16Scratch(YCount);
            CheckCudnn(_api.cudnnConvolutionForward(b.Resources.Cudnn, &one, _x, xb.Pointer, _w, wb.Pointer, _fwdConv, algo,
                ws > 0 ? work.Pointer : 0, (nuint)ws, &zero, _y, yb.Pointer));
            b.FromBFloat16(yb.Pointer, y, YCount);
        }

        public unsafe void BackwardData(CudaBackend b, ulong dy, ulong w, ulong dx)
        {
            var (algo, ws) = _data ??= Choose(b, "backward data", _dataConv, (h, perf, n) =>
            {
                CheckCudnn(_api.cudnnGetConvolutionBackwardDataAlgorithm_v7(h, _w, _y, _dataConv, _x, n, out int got, perf));
                return got;
            }, (h, perf, n, work, bytes) =>
            {
                CheckCudnn(_api.cudnnFindConvolutionBackwardDataAlgorithmEx(h, _w, w, _y, dy, _dataConv, _x, dx, n, out int got, perf, work, bytes));
                return got;
            }, (h, a) =>
            {
                CheckCudnn(_api.cudnnGetConvolutionBackwardDataWorkspaceSize(h, _w, _y, _dataConv, _x, a, out nuint s));
                return (long)s;
            });
            float one = 1, zero = 0;
            using ScratchBuffer work = b.Scratch(ws);
            if (!_bf16)
            {
                CheckCudnn(_api.cudnnConvolutionBackwardData(b.Resources.Cudnn, &one, _w, w, _y, dy, _dataConv, algo,
                    ws > 0 ? work.Pointer : 0, (nuint)ws, &zero, _x, dx));
                return;
            }
            using ScratchBuffer wb = b.ToBFloat16(w, WCount), dyb = b.ToBFloat16(dy, YCount), dxb = b.BFloat16Scratch(XCount);
            CheckCudnn(_api.cudnnConvolutionBackwardData(b.Resources.Cudnn, &one, _w, wb.Pointer, _y, dyb.Pointer, _dataConv, algo,
                ws > 0 ? work.Pointer : 0, (nuint)ws, &zero, _x, dxb.Pointer));
            b.FromBFloat16(dxb.Pointer, dx, XCount);
        }

        public unsafe void BackwardFilter(CudaBackend b, ulong x, ulong dy, ulong dw)
        {
            var (algo, ws) = _filter ??= Choose(b, "backward filter", _filterConv, (h, perf, n) =>
            {
                CheckCudnn(_api.cudnnGetConvolutionBackwardFilterAlgorithm_v7(h, _x, _y, _filterConv, _w, n, out int got, perf));
                return got;
            }, (h, perf, n, work, bytes) =>
            {
                CheckCudnn(_api.cudnnFindConvolutionBackwardFilterAlgorithmEx(h, _x, x, _y, dy, _filterConv, _w, dw, n, out int got, perf, work, bytes));
                return got;
            }, (h, a) =>
            {
                CheckCudnn(_api.cudnnGetConvolutionBackwardFilterWorkspaceSize(h, _x, _y, _filterConv, _w, a, out nuint s));
                return (long)s;
            });
            float one = 1, zero = 0;
            using ScratchBuffer work = b.Scratch(ws);
            if (!_bf16)
            {
                CheckCudnn(_api.cudnnConvolutionBackwardFilter(b.Resources.Cudnn, &one, _x, x, _y, dy, _filterConv, algo,
                    ws > 0 ? work.Pointer : 0, (nuint)ws, &zero, _w, dw));
                return;
            }
            // The weight gradient comes out in bfloat16, as autocast's does (the gradient of the bfloat16 weight copy),
            // and is widened here into the float32 gradient of the float32 master weight.
            using ScratchBuffer xb = b.ToBFloat16(x, XCount), dyb = b.ToBFloat16(dy, YCount), dwb = b.BFloat16Scratch(WCount);
            CheckCudnn(_api.cudnnConvolutionBackwardFilter(b.Resources.Cudnn, &one, _x, xb.Pointer, _y, dyb.Pointer, _filterConv, algo,
                ws > 0 ? work.Pointer : 0, (nuint)ws, &zero, _w, dwb.Pointer));
            b.FromBFloat16(dwb.Pointer, dw, WCount);
        }

        private unsafe delegate int Heuristic(nint handle, CudnnAlgoPerf* perf, int requested);
        private unsafe delegate int Find(nint handle, CudnnAlgoPerf* perf, int requested, ulong workspace, nuint workspaceBytes);

        /// <summary>
        /// The algorithm for one direction, chosen once per plan. cuDNN's heuristic ranking (the _v7 query) lists the
        /// candidates; with <see cref="ConvAlgorithmSearch.Benchmark"/>, Find then times them on the operands of this
        /// first call (overwriting its output, which the call computes next anyway) in a workspace as large as the
        /// largest candidate's within the limit, and ranks them by time. The first that succeeded, is deterministic,
        /// respects the precision and fits the workspace limit is taken. With tensor cores allowed (TF32, bf16), the
        /// descriptor takes the math type that algorithm was ranked with, as PyTorch does.
        /// </summary>
        private unsafe (int, long) Choose(CudaBackend b, string what, nint conv, Heuristic heuristic, Find find, Func<nint, int, long> workspace)
        {
            const int max = 16;
            ConvAlgorithmSearch search = b.ConvSearch;
            CudnnAlgoPerf* perf = stackalloc CudnnAlgoPerf[max];
            int got = heuristic(b.Resources.Cudnn, perf, max);
            if (search.Benchmark)
            {
                long trial = 0;
                for (int i = 0; i < got; i++)
                    if (perf[i].Status == Interop.Cudnn.StatusSuccess && (long)perf[i].Memory <= search.MaxWorkspaceBytes)
                        trial = Math.Max(trial, (long)perf[i].Memory);
                using ScratchBuffer work = b.Scratch(trial);
                got = find(b.Resources.Cudnn, perf, max, trial > 0 ? work.Pointer : 0, (nuint)trial);
            }
            var rejected = new List<string>();
            for (int i = 0; i < got; i++)
            {
                CudnnAlgoPerf p = perf[i];
                if (p.Status != Interop.Cudnn.StatusSuccess) { rejected.Add($"algo {p.Algo}: status {p.Status}"); continue; }
                // Atomics make some algorithms' sums vary from run to run: never (runs with one seed agree to the bit).
                if (p.Determinism != Interop.Cudnn.Deterministic) { rejected.Add($"algo {p.Algo}: not deterministic"); continue; }
                // ALLOW_CONVERSION may round float32 operands to float16: never, TF32 or not (PyTorch neither).
                if (p.MathType == Interop.Cudnn.TensorOpMathAllowConversion) { rejected.Add($"algo {p.Algo}: float16 conversion"); continue; }
                if (p.MathType == Interop.Cudnn.TensorOpMath && !_tensorOps) { rejected.Add($"algo {p.Algo}: tensor-op math at FP32"); continue; }
                if (_tensorOps) CheckCudnn(_api.cudnnSetConvolutionMathType(conv, p.MathType));
                long ws;
                try { ws = workspace(b.Resources.Cudnn, p.Algo); }
                catch (CudaException e) { rejected.Add($"algo {p.Algo}: workspace query failed ({e.Message})"); continue; }
                if (ws > search.MaxWorkspaceBytes) { rejected.Add($"algo {p.Algo}: workspace {ws} bytes"); continue; }
                return (p.Algo, ws);
            }
            throw new CudaException("cudnn", $"choosing a convolution {what} algorithm for {_g}", 0, "no usable algorithm", "",
                rejected.Count == 0 ? "cuDNN returned none" : string.Join("; ", rejected));
        }
    }
}
