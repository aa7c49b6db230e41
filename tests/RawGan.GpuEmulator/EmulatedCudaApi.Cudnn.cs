using RawGan.Backends;
using RawGan.Backends.Cpu;
using RawGan.Backends.Cpu.Reference;
using RawGan.Backends.Cuda;
using RawGan.GpuEmulator.Ptx;

namespace RawGan.GpuEmulator;

/// <summary>
/// cuDNN's legacy convolution API (NCHW float tensors, KCRS filters, cross-correlation): forward
/// y = alpha·conv(x, w) + beta·y, backward data dx = alpha·convᵀ(dy, w) + beta·dx, backward filter
/// dw = alpha·corr(x, dy) + beta·dw. The descriptors' shapes must agree as cuDNN checks them (else
/// CUDNN_STATUS_BAD_PARAM): that is where a wrong descriptor set-up in the backend shows. Tensors and filters are
/// float32, or bfloat16 (2 bytes an element) all three at once with a float compute type, cuDNN's
/// PSEUDO_BFLOAT16_CONFIG: the bfloat16 operands are widened exactly, the sum runs in float64, and the output is
/// rounded to bfloat16 (to nearest even), so its error is that of a float32 accumulator and one output rounding.
/// Tensors and filters may also be CUDNN_TENSOR_NHWC (a filter then [K, R, S, C]): the emulation reads them into
/// NCHW order, computes as for NCHW, and writes the output back in its descriptor's layout, so a backend's NHWC
/// results are checked against the same sums as its NCHW ones.
/// </summary>
internal sealed unsafe partial class EmulatedCudaApi
{
    private sealed record TensorDesc(int N, int C, int H, int W, int DataType, int Format = Interop.Cudnn.TensorNchw);
    private sealed record FilterDesc(int K, int C, int R, int S, int DataType, int Format = Interop.Cudnn.TensorNchw);
    private sealed record ConvDesc(int PadH, int PadW, int StrideH, int StrideW, int DilationH, int DilationW, int MathType);

    private readonly List<object?> _descriptors = [];

    /// <summary>The workspace each algorithm asks for: non-zero, so the backend's workspace path is exercised.</summary>
    public const int WorkspaceBytes = 256;

    private int Create(out nint descriptor)
    {
        lock (_gate)
        {
            _descriptors.Add(null);
            descriptor = Handle(_descriptors.Count - 1);
        }
        return Interop.Cudnn.StatusSuccess;
    }

    private T Get<T>(nint descriptor, string call) where T : class =>
        _descriptors[Index(descriptor)] as T ?? throw Refused(call, $"descriptor {descriptor} is not a set {typeof(T).Name}");

    public int cudnnCreateTensorDescriptor(out nint descriptor) => Create(out descriptor);
    public int cudnnCreateFilterDescriptor(out nint descriptor) => Create(out descriptor);
    public int cudnnCreateConvolutionDescriptor(out nint descriptor) => Create(out descriptor);

    public int cudnnSetTensor4dDescriptor(nint descriptor, int format, int dataType, int n, int c, int h, int w)
    {
        if (!EmulatedFormat(format) || !EmulatedType(dataType) || n <= 0 || c <= 0 || h <= 0 || w <= 0)
            throw Refused("cudnnSetTensor4dDescriptor", $"format {format}, type {dataType}, [{n}, {c}, {h}, {w}]: only positive NCHW or NHWC float and bfloat16 are emulated");
        lock (_gate) _descriptors[Index(descriptor)] = new TensorDesc(n, c, h, w, dataType, format);
        return Interop.Cudnn.StatusSuccess;
    }

    public int cudnnSetFilter4dDescriptor(nint descriptor, int dataType, int format, int k, int c, int h, int w)
    {
        if (!EmulatedFormat(format) || !EmulatedType(dataType) || k <= 0 || c <= 0 || h <= 0 || w <= 0)
            throw Refused("cudnnSetFilter4dDescriptor", $"type {dataType}, format {format}, [{k}, {c}, {h}, {w}]: only positive KCRS or KRSC float and bfloat16 are emulated");
        lock (_gate) _descriptors[Index(descriptor)] = new FilterDesc(k, c, h, w, dataType, format);
        return Interop.Cudnn.StatusSuccess;
    }

    private static bool EmulatedType(int dataType) => dataType is Interop.Cudnn.DataFloat or Interop.Cudnn.DataBFloat16;
    private static bool EmulatedFormat(int format) => format is Interop.Cudnn.TensorNchw or Interop.Cudnn.TensorNhwc;

    public int cudnnSetConvolution2dDescriptor(nint descriptor, int padH, int padW, int strideH, int strideW, int dilationH, int dilationW,
        int mode, int computeType)
    {
        if (padH < 0 || padW < 0 || strideH <= 0 || strideW <= 0 || dilationH <= 0 || dilationW <= 0)
            throw Refused("cudnnSetConvolution2dDescriptor", $"pad ({padH}, {padW}), stride ({strideH}, {strideW}), dilation ({dilationH}, {dilationW})");
        if (mode != Interop.Cudnn.CrossCorrelation || computeType != Interop.Cudnn.DataFloat)
            throw Refused("cudnnSetConvolution2dDescriptor", $"mode {mode}, compute type {computeType}: PyTorch's convolution is cross-correlation in float");
        lock (_gate) _descriptors[Index(descriptor)] = new ConvDesc(padH, padW, strideH, strideW, dilationH, dilationW, Interop.Cudnn.DefaultMath);
        return Interop.Cudnn.StatusSuccess;
    }

    private readonly List<int> _convMathTypes = [];

    /// <summary>Every math type set on a convolution descriptor, in call order: what a backend's precision asked of
    /// cuDNN (the emulation computes in float64 whatever the type).</summary>
    public IReadOnlyList<int> ConvMathTypes
    {
        get { lock (_gate) return [.. _convMathTypes]; }
    }

    public int cudnnSetConvolutionMathType(nint descriptor, int mathType)
    {
        lock (_gate)
        {
            _descriptors[Index(descriptor)] = Get<ConvDesc>(descriptor, "cudnnSetConvolutionMathType") with { MathType = mathType };
            _convMathTypes.Add(mathType);
        }
        return Interop.Cudnn.StatusSuccess;
    }

    // ---- algorithms -------------------------------------------------------------------------------------------
    // Each is the CPU reference underneath; what differs is what the backend must handle: algorithm 0 needs a
    // token workspace, 1 an im2col-sized one and is twice as fast, 2 (backward passes only, as cuDNN's atomics-based
    // ALGO_0 variants) is the fastest but not deterministic. Find's "timings" are the FLOP
    // count over a fixed rate per algorithm: plausible, and the same on every run.
    private sealed record Algorithm(int Id, double TeraflopsPerSecond, bool Deterministic, bool Im2col);

    private static readonly Algorithm[] ForwardAlgorithms = [new(0, 1, true, false), new(1, 2, true, true)];
    private static readonly Algorithm[] BackwardAlgorithms = [.. ForwardAlgorithms, new(2, 3, false, false)];

    /// <summary>The CUDNN_STATUS_NOT_SUPPORTED of cuDNN 9: Find's status for an algorithm the workspace given cannot hold.</summary>
    public const int StatusNotSupported = 3000;

    private static Algorithm[] AlgorithmsOf(Operand output) => output == Operand.Y ? ForwardAlgorithms : BackwardAlgorithms;

    private static long WorkspaceOf(Algorithm a, Shapes s) =>
        a.Im2col ? 4L * s.X.N * s.X.C * s.W.R * s.W.S * s.Y.H * s.Y.W : WorkspaceBytes;

    private int _findCalls;
    private readonly List<(string Call, int Algo)> _convolutionsRun = [];

    /// <summary>Every convolution run, in call order, with the algorithm it was asked to use.</summary>
    public IReadOnlyList<(string Call, int Algo)> ConvolutionsRun
    {
        get { lock (_gate) return [.. _convolutionsRun]; }
    }

    /// <summary>cudnnFind*AlgorithmEx calls made (a backend should make one per shape, direction and precision).</summary>
    public int FindCalls
    {
        get { lock (_gate) return _findCalls; }
    }

    private Algorithm Offered(string call, Operand output, int algo) =>
        AlgorithmsOf(output).FirstOrDefault(a => a.Id == algo) ?? throw Refused(call, $"algorithm {algo} was never offered");

    /// <summary>The heuristic ranking: every algorithm, in order of id (0 first), with its workspace.</summary>
    private int Heuristic(string call, Operand output, nint xDesc, nint wDesc, nint convDesc, nint yDesc, int requested, out int returned, CudnnAlgoPerf* perf)
    {
        var (shapes, _) = Geometry(call, xDesc, wDesc, convDesc, yDesc);
        Algorithm[] all = AlgorithmsOf(output);
        returned = Math.Min(requested, all.Length);
        for (int i = 0; i < returned; i++) perf[i] = Perf(all[i], shapes, Interop.Cudnn.StatusSuccess, time: 0);
        return Interop.Cudnn.StatusSuccess;
    }

    /// <summary>Ranked with FMA math on float32 tensors and with tensor-op math on bfloat16 ones (as cuDNN ranks its
    /// bfloat16 tensor-core kernels), so a backend must take the math type it is offered.</summary>
    private static CudnnAlgoPerf Perf(Algorithm a, Shapes s, int status, float time) => new()
    {
        Algo = a.Id, Status = status, Time = time, Memory = (nuint)WorkspaceOf(a, s),
        Determinism = a.Deterministic ? Interop.Cudnn.Deterministic : 0,
        MathType = s.DataType == Interop.Cudnn.DataBFloat16 ? Interop.Cudnn.TensorOpMath : Interop.Cudnn.FmaMath,
    };

    /// <summary>Find: every algorithm "timed" (those needing more workspace than given fail), fastest first; the
    /// output is overwritten (with NaN here), as cuDNN's trials overwrite it.</summary>
    private int Find(string call, Operand output, nint xDesc, nint wDesc, nint convDesc, nint yDesc, ulong outputPointer, int requested,
        out int returned, CudnnAlgoPerf* perf, ulong workspace, nuint workspaceBytes)
    {
        var (shapes, _) = Geometry(call, xDesc, wDesc, convDesc, yDesc);
        if (workspaceBytes > 0) ProbeWorkspace(call, workspace, (long)workspaceBytes);
        double flops = 2.0 * shapes.Y.N * shapes.Y.C * shapes.Y.H * shapes.Y.W * shapes.W.C * shapes.W.R * shapes.W.S;
        var ranked = AlgorithmsOf(output)
            .Select(a => WorkspaceOf(a, shapes) <= (long)workspaceBytes
                ? Perf(a, shapes, Interop.Cudnn.StatusSuccess, (float)(flops / (a.TeraflopsPerSecond * 1e9)))
                : Perf(a, shapes, StatusNotSupported, -1))
            .OrderBy(p => p.Status != Interop.Cudnn.StatusSuccess).ThenBy(p => p.Time).ToArray();
        returned = Math.Min(requested, ranked.Length);
        for (int i = 0; i < returned; i++) perf[i] = ranked[i];
        long outputCount = output switch
        {
            Operand.X => (long)shapes.X.N * shapes.X.C * shapes.X.H * shapes.X.W,
            Operand.W => (long)shapes.W.K * shapes.W.C * shapes.W.R * shapes.W.S,
            _ => (long)shapes.Y.N * shapes.Y.C * shapes.Y.H * shapes.Y.W,
        };
        lock (_gate) _findCalls++;
        Enqueue(call, () =>
        {
            if (shapes.DataType == Interop.Cudnn.DataBFloat16)
            {
                var nan = new ushort[outputCount];
                Array.Fill(nan, (ushort)0x7FC0);
                Memory.Write(outputPointer, (ReadOnlySpan<ushort>)nan);
            }
            else
            {
                var nan = new float[outputCount];
                Array.Fill(nan, float.NaN);
                Memory.Write(outputPointer, (ReadOnlySpan<float>)nan);
            }
        });
        return Interop.Cudnn.StatusSuccess;
    }

    public int cudnnGetConvolutionForwardAlgorithm_v7(nint handle, nint xDesc, nint wDesc, nint convDesc, nint yDesc, int requestedAlgoCount,
        out int returnedAlgoCount, CudnnAlgoPerf* perfResults) =>
        Heuristic("cudnnGetConvolutionForwardAlgorithm_v7", Operand.Y, xDesc, wDesc, convDesc, yDesc, requestedAlgoCount, out returnedAlgoCount, perfResults);

    public int cudnnGetConvolutionBackwardDataAlgorithm_v7(nint handle, nint wDesc, nint dyDesc, nint convDesc, nint dxDesc, int requestedAlgoCount,
        out int returnedAlgoCount, CudnnAlgoPerf* perfResults) =>
        Heuristic("cudnnGetConvolutionBackwardDataAlgorithm_v7", Operand.X, dxDesc, wDesc, convDesc, dyDesc, requestedAlgoCount, out returnedAlgoCount, perfResults);

    public int cudnnGetConvolutionBackwardFilterAlgorithm_v7(nint handle, nint xDesc, nint dyDesc, nint convDesc, nint dwDesc, int requestedAlgoCount,
        out int returnedAlgoCount, CudnnAlgoPerf* perfResults) =>
        Heuristic("cudnnGetConvolutionBackwardFilterAlgorithm_v7", Operand.W, xDesc, dwDesc, convDesc, dyDesc, requestedAlgoCount, out returnedAlgoCount, perfResults);

    public int cudnnFindConvolutionForwardAlgorithmEx(nint handle, nint xDesc, ulong x, nint wDesc, ulong w, nint convDesc, nint yDesc, ulong y,
        int requestedAlgoCount, out int returnedAlgoCount, CudnnAlgoPerf* perfResults, ulong workSpace, nuint workSpaceSizeInBytes) =>
        Find("cudnnFindConvolutionForwardAlgorithmEx", Operand.Y, xDesc, wDesc, convDesc, yDesc, y, requestedAlgoCount, out returnedAlgoCount,
            perfResults, workSpace, workSpaceSizeInBytes);

    public int cudnnFindConvolutionBackwardDataAlgorithmEx(nint handle, nint wDesc, ulong w, nint dyDesc, ulong dy, nint convDesc, nint dxDesc,
        ulong dx, int requestedAlgoCount, out int returnedAlgoCount, CudnnAlgoPerf* perfResults, ulong workSpace, nuint workSpaceSizeInBytes) =>
        Find("cudnnFindConvolutionBackwardDataAlgorithmEx", Operand.X, dxDesc, wDesc, convDesc, dyDesc, dx, requestedAlgoCount, out returnedAlgoCount,
            perfResults, workSpace, workSpaceSizeInBytes);

    public int cudnnFindConvolutionBackwardFilterAlgorithmEx(nint handle, nint xDesc, ulong x, nint dyDesc, ulong dy, nint convDesc, nint dwDesc,
        ulong dw, int requestedAlgoCount, out int returnedAlgoCount, CudnnAlgoPerf* perfResults, ulong workSpace, nuint workSpaceSizeInBytes) =>
        Find("cudnnFindConvolutionBackwardFilterAlgorithmEx", Operand.W, xDesc, dwDesc, convDesc, dyDesc, dw, requestedAlgoCount, out returnedAlgoCount,
            perfResults, workSpace, workSpaceSizeInBytes);

    public int cudnnGetConvolutionForwardWorkspaceSize(nint handle, nint xDesc, nint wDesc, nint convDesc, nint yDesc, int algo, out nuint sizeInBytes) =>
        Workspace("cudnnGetConvolutionForwardWorkspaceSize", Operand.Y, xDesc, wDesc, convDesc, yDesc, algo, out sizeInBytes);

    public int cudnnGetConvolutionBackwardDataWorkspaceSize(nint handle, nint wDesc, nint dyDesc, nint convDesc, nint dxDesc, int algo, out nuint sizeInBytes) =>
        Workspace("cudnnGetConvolutionBackwardDataWorkspaceSize", Operand.X, dxDesc, wDesc, convDesc, dyDesc, algo, out sizeInBytes);

    public int cudnnGetConvolutionBackwardFilterWorkspaceSize(nint handle, nint xDesc, nint dyDesc, nint convDesc, nint dwDesc, int algo, out nuint sizeInBytes) =>
        Workspace("cudnnGetConvolutionBackwardFilterWorkspaceSize", Operand.W, xDesc, dwDesc, convDesc, dyDesc, algo, out sizeInBytes);

    private int Workspace(string call, Operand output, nint xDesc, nint wDesc, nint convDesc, nint yDesc, int algo, out nuint size)
    {
        var (shapes, _) = Geometry(call, xDesc, wDesc, convDesc, yDesc);
        size = (nuint)WorkspaceOf(Offered(call, output, algo), shapes);
        return Interop.Cudnn.StatusSuccess;
    }

    // ---- the three convolutions: one sum, accumulated into the operand each computes ----------------------------
    private enum Operand { X, W, Y }

    public int cudnnConvolutionForward(nint handle, float* alpha, nint xDesc, ulong x, nint wDesc, ulong w, nint convDesc, int algo, ulong workSpace,
        nuint workSpaceSizeInBytes, float* beta, nint yDesc, ulong y) =>
        Convolve("cudnnConvolutionForward", Operand.Y, xDesc, x, wDesc, w, convDesc, yDesc, y, algo, workSpace, workSpaceSizeInBytes, *alpha, *beta);

    public int cudnnConvolutionBackwardData(nint handle, float* alpha, nint wDesc, ulong w, nint dyDesc, ulong dy, nint convDesc, int algo,
        ulong workSpace, nuint workSpaceSizeInBytes, float* beta, nint dxDesc, ulong dx) =>
        Convolve("cudnnConvolutionBackwardData", Operand.X, dxDesc, dx, wDesc, w, convDesc, dyDesc, dy, algo, workSpace, workSpaceSizeInBytes, *alpha, *beta);

    public int cudnnConvolutionBackwardFilter(nint handle, float* alpha, nint xDesc, ulong x, nint dyDesc, ulong dy, nint convDesc, int algo,
        ulong workSpace, nuint workSpaceSizeInBytes, float* beta, nint dwDesc, ulong dw) =>
        Convolve("cudnnConvolutionBackwardFilter", Operand.W, xDesc, x, dwDesc, dw, convDesc, dyDesc, dy, algo, workSpace, workSpaceSizeInBytes, *alpha, *beta);

    /// <summary>output = alpha·conv + beta·output, the convolution (or its adjoint) computed by the CPU reference in
    /// float64 (cuDNN's cross-correlation is PyTorch's, which the reference is checked against): what is under test
    /// here is how the backend describes the convolution to cuDNN, which <see cref="Geometry"/> checks.</summary>
    private int Convolve(string call, Operand output, nint xDesc, ulong x, nint wDesc, ulong w, nint convDesc, nint yDesc, ulong y,
        int algo, ulong workspace, nuint workspaceBytes, float alpha, float beta)
    {
        var (shapes, conv) = Geometry(call, xDesc, wDesc, convDesc, yDesc);
        if (conv.DilationH != 1 || conv.DilationW != 1) throw Refused(call, "dilation is not emulated");
        var g = new ConvGeometry(shapes.X.N, shapes.X.C, shapes.X.H, shapes.X.W, shapes.W.K, shapes.W.R, shapes.W.S,
            conv.StrideH, conv.StrideW, conv.PadH, conv.PadW, conv.PadH, conv.PadW);
        CheckWorkspace(call, WorkspaceOf(Offered(call, output, algo), shapes), workspace, workspaceBytes);
        lock (_gate) _convolutionsRun.Add((call, algo));
        Enqueue(call, () =>
        {
            double[] X = Read(x, shapes.X), W = Read(w, shapes.W), Y = Read(y, shapes.Y);
            (double[] result, ulong address, Layout layout) = output switch
            {
                Operand.X => (X, x, Layout.Of(shapes.X)), Operand.W => (W, w, Layout.Of(shapes.W)), _ => (Y, y, Layout.Of(shapes.Y)),
            };
            var sum = new double[result.Length];
            switch (output)
            {
                case Operand.Y: ReferenceDense.Conv2d(g, X, W, sum); break;
                case Operand.X: ReferenceDense.Conv2dBackwardData(g, Y, W, sum); break;
                default: ReferenceDense.Conv2dBackwardFilter(g, X, Y, sum); break;
            }
            var logical = new float[result.Length];
            for (int i = 0; i < result.Length; i++) // beta = 0 does not read the output (it may hold NaN)
                logical[i] = (float)(alpha * sum[i] + (beta == 0 ? 0 : beta * result[i]));
            float[] written = layout.Store(logical);
            if (shapes.DataType == Interop.Cudnn.DataBFloat16)
                Memory.Write(address, (ReadOnlySpan<ushort>)Array.ConvertAll(written, v => PtxConvert.ToBFloat16(BitConverter.SingleToUInt32Bits(v))));
            else Memory.Write(address, (ReadOnlySpan<float>)written);
        });
        return Interop.Cudnn.StatusSuccess;
    }

    private sealed record Shapes(TensorDesc X, FilterDesc W, TensorDesc Y)
    {
        public int DataType => X.DataType;
    }

    /// <summary>The descriptors of one convolution, checked against each other as cuDNN does.</summary>
    private (Shapes, ConvDesc) Geometry(string call, nint xDesc, nint wDesc, nint convDesc, nint yDesc)
    {
        lock (_gate)
        {
            TensorDesc x = Get<TensorDesc>(xDesc, call), y = Get<TensorDesc>(yDesc, call);
            FilterDesc w = Get<FilterDesc>(wDesc, call);
            ConvDesc c = Get<ConvDesc>(convDesc, call);
            int p = (x.H + 2 * c.PadH - c.DilationH * (w.R - 1) - 1) / c.StrideH + 1;
            int q = (x.W + 2 * c.PadW - c.DilationW * (w.S - 1) - 1) / c.StrideW + 1;
            if (x.C != w.C || y.C != w.K || y.N != x.N || y.H != p || y.W != q)
                throw Refused(call, $"CUDNN_STATUS_BAD_PARAM: x {x}, w {w}, {c} give [{x.N}, {w.K}, {p}, {q}], but y is {y}");
            if (x.DataType != w.DataType || y.DataType != x.DataType)
                throw Refused(call, $"CUDNN_STATUS_NOT_SUPPORTED: x, w and y must share one data type (x {x.DataType}, w {w.DataType}, y {y.DataType})");
            // cuDNN runs mixed layouts with few algorithms (if any): the backend is to describe all three alike.
            if (x.Format != w.Format || y.Format != x.Format)
                throw Refused(call, $"CUDNN_STATUS_NOT_SUPPORTED: x, w and y in different layouts (x {x.Format}, w {w.Format}, y {y.Format})");
            return (new Shapes(x, w, y), c);
        }
    }

    private void CheckWorkspace(string call, long needed, ulong workspace, nuint bytes)
    {
        if ((long)bytes < needed || (needed > 0 && workspace == 0))
            throw Refused(call, $"CUDNN_STATUS_BAD_PARAM: workspace of {bytes} bytes at 0x{workspace:x}, {needed} needed");
        if (needed > 0) ProbeWorkspace(call, workspace, needed);
    }

    /// <summary>The workspace's first and last bytes must be device memory: the size given is really there.</summary>
    private void ProbeWorkspace(string call, ulong workspace, long bytes)
    {
        Span<byte> probe = stackalloc byte[1];
        lock (_gate)
        {
            Memory.Read(workspace, probe);
            Memory.Read(workspace + (ulong)bytes - 1, probe);
        }
    }

    /// <summary>A tensor's or filter's values in NCHW (KCRS) order, whatever its layout.</summary>
    private double[] Read(ulong p, TensorDesc d) => Layout.Of(d).Load(Read(p, (long)d.N * d.C * d.H * d.W, d.DataType));
    private double[] Read(ulong p, FilterDesc d) => Layout.Of(d).Load(Read(p, (long)d.K * d.C * d.R * d.S, d.DataType));

    /// <summary>Float32 values: batch norm's scale, bias, mean and variance are float32 for every data type.</summary>
    private double[] Read(ulong p, long count) => Read(p, count, Interop.Cudnn.DataFloat);

    private double[] Read(ulong p, long count, int dataType)
    {
        if (dataType == Interop.Cudnn.DataBFloat16)
        {
            var h = new ushort[count];
            Memory.Read(p, h.AsSpan());
            return Array.ConvertAll(h, b => (double)BitConverter.UInt32BitsToSingle((uint)b << 16));
        }
        var v = new float[count];
        Memory.Read(p, v.AsSpan());
        return Array.ConvertAll(v, f => (double)f);
    }
}
