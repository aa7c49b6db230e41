using RawGan.Backends.Cuda;

namespace RawGan.Tests.EmulatedGpu;

/// <summary>
/// cuDNN's legacy convolution API by its definitions (NCHW float tensors, KCRS filters, cross-correlation):
/// forward y = alpha·conv(x, w) + beta·y, backward data dx = alpha·convᵀ(dy, w) + beta·dx, backward filter
/// dw = alpha·corr(x, dy) + beta·dw. The descriptors' shapes must agree as cuDNN checks them (else
/// CUDNN_STATUS_BAD_PARAM): that is where a wrong descriptor set-up in the backend shows.
/// </summary>
internal sealed unsafe partial class EmulatedCudaApi
{
    private sealed record TensorDesc(int N, int C, int H, int W);
    private sealed record FilterDesc(int K, int C, int R, int S);
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
        if (format != Interop.Cudnn.TensorNchw || dataType != Interop.Cudnn.DataFloat || n <= 0 || c <= 0 || h <= 0 || w <= 0)
            throw Refused("cudnnSetTensor4dDescriptor", $"format {format}, type {dataType}, [{n}, {c}, {h}, {w}]: only positive NCHW float is emulated");
        lock (_gate) _descriptors[Index(descriptor)] = new TensorDesc(n, c, h, w);
        return Interop.Cudnn.StatusSuccess;
    }

    public int cudnnSetFilter4dDescriptor(nint descriptor, int dataType, int format, int k, int c, int h, int w)
    {
        if (format != Interop.Cudnn.TensorNchw || dataType != Interop.Cudnn.DataFloat || k <= 0 || c <= 0 || h <= 0 || w <= 0)
            throw Refused("cudnnSetFilter4dDescriptor", $"type {dataType}, format {format}, [{k}, {c}, {h}, {w}]: only positive KCRS float is emulated");
        lock (_gate) _descriptors[Index(descriptor)] = new FilterDesc(k, c, h, w);
        return Interop.Cudnn.StatusSuccess;
    }

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

    public int cudnnSetConvolutionMathType(nint descriptor, int mathType)
    {
        lock (_gate) _descriptors[Index(descriptor)] = Get<ConvDesc>(descriptor, "cudnnSetConvolutionMathType") with { MathType = mathType };
        return Interop.Cudnn.StatusSuccess;
    }

    // ---- algorithms: one, full FP32 ----------------------------------------------------------------------------
    private int OneAlgorithm(int requested, out int returned, CudnnAlgoPerf* perf)
    {
        returned = requested > 0 ? 1 : 0;
        if (returned == 1) perf[0] = new CudnnAlgoPerf { Algo = 0, Status = Interop.Cudnn.StatusSuccess, Memory = WorkspaceBytes, MathType = Interop.Cudnn.FmaMath };
        return Interop.Cudnn.StatusSuccess;
    }

    public int cudnnGetConvolutionForwardAlgorithm_v7(nint handle, nint xDesc, nint wDesc, nint convDesc, nint yDesc, int requestedAlgoCount,
        out int returnedAlgoCount, CudnnAlgoPerf* perfResults)
    {
        Geometry("cudnnGetConvolutionForwardAlgorithm_v7", xDesc, wDesc, convDesc, yDesc);
        return OneAlgorithm(requestedAlgoCount, out returnedAlgoCount, perfResults);
    }

    public int cudnnGetConvolutionBackwardDataAlgorithm_v7(nint handle, nint wDesc, nint dyDesc, nint convDesc, nint dxDesc, int requestedAlgoCount,
        out int returnedAlgoCount, CudnnAlgoPerf* perfResults)
    {
        Geometry("cudnnGetConvolutionBackwardDataAlgorithm_v7", dxDesc, wDesc, convDesc, dyDesc);
        return OneAlgorithm(requestedAlgoCount, out returnedAlgoCount, perfResults);
    }

    public int cudnnGetConvolutionBackwardFilterAlgorithm_v7(nint handle, nint xDesc, nint dyDesc, nint convDesc, nint dwDesc, int requestedAlgoCount,
        out int returnedAlgoCount, CudnnAlgoPerf* perfResults)
    {
        Geometry("cudnnGetConvolutionBackwardFilterAlgorithm_v7", xDesc, dwDesc, convDesc, dyDesc);
        return OneAlgorithm(requestedAlgoCount, out returnedAlgoCount, perfResults);
    }

    public int cudnnGetConvolutionForwardWorkspaceSize(nint handle, nint xDesc, nint wDesc, nint convDesc, nint yDesc, int algo, out nuint sizeInBytes) =>
        Workspace(algo, out sizeInBytes);

    public int cudnnGetConvolutionBackwardDataWorkspaceSize(nint handle, nint wDesc, nint dyDesc, nint convDesc, nint dxDesc, int algo, out nuint sizeInBytes) =>
        Workspace(algo, out sizeInBytes);

    public int cudnnGetConvolutionBackwardFilterWorkspaceSize(nint handle, nint xDesc, nint dyDesc, nint convDesc, nint dwDesc, int algo, out nuint sizeInBytes) =>
        Workspace(algo, out sizeInBytes);

    private static int Workspace(int algo, out nuint size)
    {
        if (algo != 0) throw Refused("cudnnGetConvolution*WorkspaceSize", $"algorithm {algo} was never offered");
        size = WorkspaceBytes;
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

    /// <summary>output = alpha·Σ + beta·output, where Σ runs over every product x·w of the convolution and lands on
    /// the y element (forward), the x element (backward data) or the w element (backward filter) it involves.</summary>
    private int Convolve(string call, Operand output, nint xDesc, ulong x, nint wDesc, ulong w, nint convDesc, nint yDesc, ulong y,
        int algo, ulong workspace, nuint workspaceBytes, float alpha, float beta)
    {
        var (g, conv) = Geometry(call, xDesc, wDesc, convDesc, yDesc);
        lock (_gate)
        {
            CheckWorkspace(call, algo, workspace, workspaceBytes);
            float[] X = Read(x, g.X), W = Read(w, g.W), Y = Read(y, g.Y);
            (float[] result, ulong address) = output switch { Operand.X => (X, x), Operand.W => (W, w), _ => (Y, y) };
            var sum = new double[result.Length];
            Visit(g, conv, (xi, wi, yi) =>
            {
                switch (output)
                {
                    case Operand.Y: sum[yi] += (double)X[xi] * W[wi]; break;
                    case Operand.X: sum[xi] += (double)Y[yi] * W[wi]; break;
                    default: sum[wi] += (double)X[xi] * Y[yi]; break;
                }
            });
            for (int i = 0; i < result.Length; i++) // beta = 0 does not read the output (it may hold NaN)
                result[i] = (float)(alpha * sum[i] + (beta == 0 ? 0 : beta * (double)result[i]));
            Memory.Write(address, (ReadOnlySpan<float>)result);
        }
        return Interop.Cudnn.StatusSuccess;
    }

    private sealed record Shapes(TensorDesc X, FilterDesc W, TensorDesc Y);

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
            return (new Shapes(x, w, y), c);
        }
    }

    private void CheckWorkspace(string call, int algo, ulong workspace, nuint bytes)
    {
        if (algo != 0) throw Refused(call, $"algorithm {algo} was never offered");
        if (bytes < WorkspaceBytes || workspace == 0) throw Refused(call, $"CUDNN_STATUS_BAD_PARAM: workspace of {bytes} bytes at 0x{workspace:x}, {WorkspaceBytes} needed");
        Span<byte> probe = stackalloc byte[WorkspaceBytes];
        Memory.Read(workspace, probe); // must be device memory the size asked for
    }

    private float[] Read(ulong p, TensorDesc d) => Read(p, (long)d.N * d.C * d.H * d.W);
    private float[] Read(ulong p, FilterDesc d) => Read(p, (long)d.K * d.C * d.R * d.S);

    private float[] Read(ulong p, long count)
    {
        var v = new float[count];
        Memory.Read(p, v.AsSpan());
        return v;
    }

    /// <summary>Calls <paramref name="term"/>(x index, w index, y index) for every product of the convolution.</summary>
    private static void Visit(Shapes g, ConvDesc c, Action<long, long, long> term)
    {
        TensorDesc x = g.X, y = g.Y;
        FilterDesc w = g.W;
        for (int n = 0; n < x.N; n++)
            for (int k = 0; k < w.K; k++)
                for (int p = 0; p < y.H; p++)
                    for (int q = 0; q < y.W; q++)
                    {
                        long yi = ((long)(n * y.C + k) * y.H + p) * y.W + q;
                        for (int ch = 0; ch < w.C; ch++)
                            for (int r = 0; r < w.R; r++)
                            {
                                int h = p * c.StrideH - c.PadH + r * c.DilationH;
                                if ((uint)h >= (uint)x.H) continue;
                                for (int s = 0; s < w.S; s++)
                                {
                                    int col = q * c.StrideW - c.PadW + s * c.DilationW;
                                    if ((uint)col >= (uint)x.W) continue;
                                    term(((long)(n * x.C + ch) * x.H + h) * x.W + col, ((long)(k * w.C + ch) * w.R + r) * w.S + s, yi);
                                }
                            }
                    }
    }
}
