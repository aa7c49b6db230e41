namespace RawGan.Backends.Cuda;

/// <summary>The real libraries, through the LibraryImport declarations of <see cref="Interop"/>.</summary>
internal sealed unsafe class NativeCudaApi : ICudaApi
{
    public static readonly NativeCudaApi Instance = new();

    private NativeCudaApi() { }

    // ---- driver ----------------------------------------------------------------------------------------------
    public CUresult cuCtxSetCurrent(nint context) =>
        Interop.Driver.cuCtxSetCurrent(context);
    public CUresult cuMemGetInfo(out nuint free, out nuint total) =>
        Interop.Driver.cuMemGetInfo(out free, out total);
    public CUresult cuModuleLoadDataEx(out nint module, byte* image, uint numOptions, int* options,
        nint* optionValues) =>
        Interop.Driver.cuModuleLoadDataEx(out module, image, numOptions, options, optionValues);
    public CUresult cuModuleGetFunction(out nint function, nint module, string name) =>
        Interop.Driver.cuModuleGetFunction(out function, module, name);
    public CUresult cuFuncGetAttribute(out int value, int attribute, nint function) =>
        Interop.Driver.cuFuncGetAttribute(out value, attribute, function);
    public CUresult cuFuncGetParamInfo(nint function, nuint paramIndex, out nuint paramOffset, out nuint paramSize) =>
        Interop.Driver.cuFuncGetParamInfo(function, paramIndex, out paramOffset, out paramSize);
    public CUresult cuLaunchKernel(nint function, uint gridDimX, uint gridDimY, uint gridDimZ, uint blockDimX,
        uint blockDimY, uint blockDimZ, uint sharedMemBytes, nint stream, void** kernelParams, void** extra) =>
        Interop.Driver.cuLaunchKernel(function, gridDimX, gridDimY, gridDimZ, blockDimX, blockDimY, blockDimZ,
            sharedMemBytes, stream, kernelParams, extra);
    public CUresult cuMemAlloc(out ulong devicePointer, nuint bytes) =>
        Interop.Driver.cuMemAlloc(out devicePointer, bytes);
    public CUresult cuMemFree(ulong devicePointer) =>
        Interop.Driver.cuMemFree(devicePointer);
    public CUresult cuMemHostAlloc(out nint hostPointer, nuint bytes, uint flags) =>
        Interop.Driver.cuMemHostAlloc(out hostPointer, bytes, flags);
    public CUresult cuMemFreeHost(nint hostPointer) =>
        Interop.Driver.cuMemFreeHost(hostPointer);
    public CUresult cuMemcpyHtoDAsync(ulong destination, void* source, nuint bytes, nint stream) =>
        Interop.Driver.cuMemcpyHtoDAsync(destination, source, bytes, stream);
    public CUresult cuMemcpyDtoHAsync(void* destination, ulong source, nuint bytes, nint stream) =>
        Interop.Driver.cuMemcpyDtoHAsync(destination, source, bytes, stream);
    public CUresult cuMemcpyDtoDAsync(ulong destination, ulong source, nuint bytes, nint stream) =>
        Interop.Driver.cuMemcpyDtoDAsync(destination, source, bytes, stream);
    public CUresult cuMemcpy3DAsync(CudaMemcpy3D* copy, nint stream) =>
        Interop.Driver.cuMemcpy3DAsync(copy, stream);
    public CUresult cuMemsetD8Async(ulong destination, byte value, nuint count, nint stream) =>
        Interop.Driver.cuMemsetD8Async(destination, value, count, stream);
    public CUresult cuMemsetD32Async(ulong destination, uint value, nuint count, nint stream) =>
        Interop.Driver.cuMemsetD32Async(destination, value, count, stream);
    public CUresult cuStreamSynchronize(nint stream) =>
        Interop.Driver.cuStreamSynchronize(stream);
    public CUresult cuEventCreate(out nint @event, uint flags) =>
        Interop.Driver.cuEventCreate(out @event, flags);
    public CUresult cuEventRecord(nint @event, nint stream) =>
        Interop.Driver.cuEventRecord(@event, stream);
    public CUresult cuEventSynchronize(nint @event) =>
        Interop.Driver.cuEventSynchronize(@event);
    private static bool _elapsedTimeV1; // the driver predates cuEventElapsedTime_v2

    public CUresult cuEventElapsedTime(out float milliseconds, nint start, nint end)
    {
        if (!_elapsedTimeV1)
        {
            try { return Interop.Driver.cuEventElapsedTime_v2(out milliseconds, start, end); }
            catch (EntryPointNotFoundException) { _elapsedTimeV1 = true; }
        }
        return Interop.Driver.cuEventElapsedTime(out milliseconds, start, end);
    }
    public CUresult cuEventDestroy(nint @event) =>
        Interop.Driver.cuEventDestroy(@event);
    public CUresult cuStreamBeginCapture(nint stream, int mode) =>
        Interop.Driver.cuStreamBeginCapture(stream, mode);
    public CUresult cuStreamEndCapture(nint stream, out nint graph) =>
        Interop.Driver.cuStreamEndCapture(stream, out graph);
    public CUresult cuStreamIsCapturing(nint stream, out int captureStatus) =>
        Interop.Driver.cuStreamIsCapturing(stream, out captureStatus);
    public CUresult cuGraphInstantiateWithFlags(out nint graphExec, nint graph, ulong flags) =>
        Interop.Driver.cuGraphInstantiateWithFlags(out graphExec, graph, flags);
    public CUresult cuGraphLaunch(nint graphExec, nint stream) =>
        Interop.Driver.cuGraphLaunch(graphExec, stream);
    public CUresult cuGraphExecDestroy(nint graphExec) =>
        Interop.Driver.cuGraphExecDestroy(graphExec);
    public CUresult cuGraphDestroy(nint graph) =>
        Interop.Driver.cuGraphDestroy(graph);

    // ---- cublas ----------------------------------------------------------------------------------------------
    public int cublasGetVersion(nint handle, out int version) =>
        Interop.Cublas.cublasGetVersion(handle, out version);
    public int cublasSetMathMode(nint handle, int mode) =>
        Interop.Cublas.cublasSetMathMode(handle, mode);
    public int cublasSgemm(nint handle, int transa, int transb, int m, int n, int k, float* alpha, ulong a, int lda,
        ulong b, int ldb, float* beta, ulong c, int ldc) =>
        Interop.Cublas.cublasSgemm(handle, transa, transb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    public int cublasGemmEx(nint handle, int transa, int transb, int m, int n, int k, float* alpha, ulong a, int aType, int lda,
        ulong b, int bType, int ldb, float* beta, ulong c, int cType, int ldc, int computeType, int algo) =>
        Interop.Cublas.cublasGemmEx(handle, transa, transb, m, n, k, alpha, a, aType, lda, b, bType, ldb, beta, c, cType, ldc, computeType, algo);

    // ---- cudnn -----------------------------------------------------------------------------------------------
    public int cudnnCreateTensorDescriptor(out nint descriptor) =>
        Interop.Cudnn.cudnnCreateTensorDescriptor(out descriptor);
    public int cudnnSetTensor4dDescriptor(nint descriptor, int format, int dataType, int n, int c, int h, int w) =>
        Interop.Cudnn.cudnnSetTensor4dDescriptor(descriptor, format, dataType, n, c, h, w);
    public int cudnnCreateFilterDescriptor(out nint descriptor) =>
        Interop.Cudnn.cudnnCreateFilterDescriptor(out descriptor);
    public int cudnnSetFilter4dDescriptor(nint descriptor, int dataType, int format, int k, int c, int h, int w) =>
        Interop.Cudnn.cudnnSetFilter4dDescriptor(descriptor, dataType, format, k, c, h, w);
    public int cudnnCreateConvolutionDescriptor(out nint descriptor) =>
        Interop.Cudnn.cudnnCreateConvolutionDescriptor(out descriptor);
    public int cudnnSetConvolution2dDescriptor(nint descriptor, int padH, int padW, int strideH, int strideW,
        int dilationH, int dilationW, int mode, int computeType) =>
        Interop.Cudnn.cudnnSetConvolution2dDescriptor(descriptor, padH, padW, strideH, strideW, dilationH, dilationW,
            mode, computeType);
    public int cudnnSetConvolutionMathType(nint descriptor, int mathType) =>
        Interop.Cudnn.cudnnSetConvolutionMathType(descriptor, mathType);
    public int cudnnGetConvolutionForwardAlgorithm_v7(nint handle, nint xDesc, nint wDesc, nint convDesc, nint yDesc,
        int requestedAlgoCount, out int returnedAlgoCount, CudnnAlgoPerf* perfResults) =>
        Interop.Cudnn.cudnnGetConvolutionForwardAlgorithm_v7(handle, xDesc, wDesc, convDesc, yDesc, requestedAlgoCount,
            out returnedAlgoCount, perfResults);
    public int cudnnGetConvolutionBackwardDataAlgorithm_v7(nint handle, nint wDesc, nint dyDesc, nint convDesc,
        nint dxDesc, int requestedAlgoCount, out int returnedAlgoCount, CudnnAlgoPerf* perfResults) =>
        Interop.Cudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(handle, wDesc, dyDesc, convDesc, dxDesc,
            requestedAlgoCount, out returnedAlgoCount, perfResults);
    public int cudnnGetConvolutionBackwardFilterAlgorithm_v7(nint handle, nint xDesc, nint dyDesc, nint convDesc,
        nint dwDesc, int requestedAlgoCount, out int returnedAlgoCount, CudnnAlgoPerf* perfResults) =>
        Interop.Cudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(handle, xDesc, dyDesc, convDesc, dwDesc,
            requestedAlgoCount, out returnedAlgoCount, perfResults);
    public int cudnnFindConvolutionForwardAlgorithmEx(nint handle, nint xDesc, ulong x, nint wDesc, ulong w, nint convDesc,
        nint yDesc, ulong y, int requestedAlgoCount, out int returnedAlgoCount, CudnnAlgoPerf* perfResults,
        ulong workSpace, nuint workSpaceSizeInBytes) =>
        Interop.Cudnn.cudnnFindConvolutionForwardAlgorithmEx(handle, xDesc, x, wDesc, w, convDesc, yDesc, y,
            requestedAlgoCount, out returnedAlgoCount, perfResults, workSpace, workSpaceSizeInBytes);
    public int cudnnFindConvolutionBackwardDataAlgorithmEx(nint handle, nint wDesc, ulong w, nint dyDesc, ulong dy,
        nint convDesc, nint dxDesc, ulong dx, int requestedAlgoCount, out int returnedAlgoCount,
        CudnnAlgoPerf* perfResults, ulong workSpace, nuint workSpaceSizeInBytes) =>
        Interop.Cudnn.cudnnFindConvolutionBackwardDataAlgorithmEx(handle, wDesc, w, dyDesc, dy, convDesc, dxDesc, dx,
            requestedAlgoCount, out returnedAlgoCount, perfResults, workSpace, workSpaceSizeInBytes);
    public int cudnnFindConvolutionBackwardFilterAlgorithmEx(nint handle, nint xDesc, ulong x, nint dyDesc, ulong dy,
        nint convDesc, nint dwDesc, ulong dw, int requestedAlgoCount, out int returnedAlgoCount,
        CudnnAlgoPerf* perfResults, ulong workSpace, nuint workSpaceSizeInBytes) =>
        Interop.Cudnn.cudnnFindConvolutionBackwardFilterAlgorithmEx(handle, xDesc, x, dyDesc, dy, convDesc, dwDesc, dw,
            requestedAlgoCount, out returnedAlgoCount, perfResults, workSpace, workSpaceSizeInBytes);
    public int cudnnGetConvolutionForwardWorkspaceSize(nint handle, nint xDesc, nint wDesc, nint convDesc, nint yDesc,
        int algo, out nuint sizeInBytes) =>
        Interop.Cudnn.cudnnGetConvolutionForwardWorkspaceSize(handle, xDesc, wDesc, convDesc, yDesc, algo,
            out sizeInBytes);
    public int cudnnGetConvolutionBackwardDataWorkspaceSize(nint handle, nint wDesc, nint dyDesc, nint convDesc,
        nint dxDesc, int algo, out nuint sizeInBytes) =>
        Interop.Cudnn.cudnnGetConvolutionBackwardDataWorkspaceSize(handle, wDesc, dyDesc, convDesc, dxDesc, algo,
            out sizeInBytes);
    public int cudnnGetConvolutionBackwardFilterWorkspaceSize(nint handle, nint xDesc, nint dyDesc, nint convDesc,
        nint dwDesc, int algo, out nuint sizeInBytes) =>
        Interop.Cudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(handle, xDesc, dyDesc, convDesc, dwDesc, algo,
            out sizeInBytes);
    public int cudnnConvolutionForward(nint handle, float* alpha, nint xDesc, ulong x, nint wDesc, ulong w,
        nint convDesc, int algo, ulong workSpace, nuint workSpaceSizeInBytes, float* beta, nint yDesc, ulong y) =>
        Interop.Cudnn.cudnnConvolutionForward(handle, alpha, xDesc, x, wDesc, w, convDesc, algo, workSpace,
            workSpaceSizeInBytes, beta, yDesc, y);
    public int cudnnConvolutionBackwardData(nint handle, float* alpha, nint wDesc, ulong w, nint dyDesc, ulong dy,
        nint convDesc, int algo, ulong workSpace, nuint workSpaceSizeInBytes, float* beta, nint dxDesc, ulong dx) =>
        Interop.Cudnn.cudnnConvolutionBackwardData(handle, alpha, wDesc, w, dyDesc, dy, convDesc, algo, workSpace,
            workSpaceSizeInBytes, beta, dxDesc, dx);
    public int cudnnConvolutionBackwardFilter(nint handle, float* alpha, nint xDesc, ulong x, nint dyDesc, ulong dy,
        nint convDesc, int algo, ulong workSpace, nuint workSpaceSizeInBytes, float* beta, nint dwDesc, ulong dw) =>
        Interop.Cudnn.cudnnConvolutionBackwardFilter(handle, alpha, xDesc, x, dyDesc, dy, convDesc, algo, workSpace,
            workSpaceSizeInBytes, beta, dwDesc, dw);
    public int cudnnBatchNormalizationForwardTraining(nint handle, int mode, float* alpha, float* beta, nint xDesc, ulong x,
        nint yDesc, ulong y, nint scaleBiasMeanVarDesc, ulong scale, ulong bias, double exponentialAverageFactor,
        ulong runningMean, ulong runningVariance, double epsilon, ulong saveMean, ulong saveInvVariance) =>
        Interop.Cudnn.cudnnBatchNormalizationForwardTraining(handle, mode, alpha, beta, xDesc, x, yDesc, y, scaleBiasMeanVarDesc,
            scale, bias, exponentialAverageFactor, runningMean, runningVariance, epsilon, saveMean, saveInvVariance);
    public int cudnnBatchNormalizationBackward(nint handle, int mode, float* alphaDataDiff, float* betaDataDiff,
        float* alphaParamDiff, float* betaParamDiff, nint xDesc, ulong x, nint dyDesc, ulong dy, nint dxDesc, ulong dx,
        nint scaleBiasDesc, ulong scale, ulong dScale, ulong dBias, double epsilon, ulong savedMean, ulong savedInvVariance) =>
        Interop.Cudnn.cudnnBatchNormalizationBackward(handle, mode, alphaDataDiff, betaDataDiff, alphaParamDiff, betaParamDiff,
            xDesc, x, dyDesc, dy, dxDesc, dx, scaleBiasDesc, scale, dScale, dBias, epsilon, savedMean, savedInvVariance);
}
