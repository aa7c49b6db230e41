using System.Diagnostics.CodeAnalysis;

namespace RawGan.Backends.Cuda;

/// <summary>
/// The driver, cuBLAS and cuDNN calls a <see cref="CudaBackend"/> makes once it exists: memory, copies, modules and
/// launches, timing events, GEMM and the three convolutions. Named and typed exactly as the C functions
/// (<see cref="Interop"/> has their documentation), so the backend's code reads as CUDA code does.
/// <see cref="NativeCudaApi"/> calls the real libraries; the test suite's emulated GPU implements the same calls on
/// the CPU (PTX interpreted, GEMM and convolutions by definition), which is how the backend's own logic — launch
/// shapes, argument lists, the row-/column-major mapping of GEMM, descriptor set-up, padding copies — is
/// exercised on every machine, not only on a GPU host. Finding the device and creating the context, stream and
/// library handles stays with <see cref="Interop"/>: that part is only real on real hardware.
/// </summary>
[SuppressMessage("Style", "IDE1006:Naming Styles", Justification = "the C API's names")]
internal unsafe interface ICudaApi
{
    // ---- driver ----------------------------------------------------------------------------------------------
    CUresult cuCtxSetCurrent(nint context);
    CUresult cuMemGetInfo(out nuint free, out nuint total);
    CUresult cuModuleLoadDataEx(out nint module, byte* image, uint numOptions, int* options, nint* optionValues);
    CUresult cuModuleGetFunction(out nint function, nint module, string name);
    CUresult cuFuncGetAttribute(out int value, int attribute, nint function);
    CUresult cuFuncGetParamInfo(nint function, nuint paramIndex, out nuint paramOffset, out nuint paramSize);
    CUresult cuLaunchKernel(nint function, uint gridDimX, uint gridDimY, uint gridDimZ, uint blockDimX, uint blockDimY,
        uint blockDimZ, uint sharedMemBytes, nint stream, void** kernelParams, void** extra);
    CUresult cuMemAlloc(out ulong devicePointer, nuint bytes);
    CUresult cuMemFree(ulong devicePointer);
    CUresult cuMemHostAlloc(out nint hostPointer, nuint bytes, uint flags);
    CUresult cuMemFreeHost(nint hostPointer);
    CUresult cuMemcpyHtoDAsync(ulong destination, void* source, nuint bytes, nint stream);
    CUresult cuMemcpyDtoHAsync(void* destination, ulong source, nuint bytes, nint stream);
    CUresult cuMemcpyDtoDAsync(ulong destination, ulong source, nuint bytes, nint stream);
    CUresult cuMemcpy3DAsync(CudaMemcpy3D* copy, nint stream);
    CUresult cuMemsetD8Async(ulong destination, byte value, nuint count, nint stream);
    CUresult cuMemsetD32Async(ulong destination, uint value, nuint count, nint stream);
    CUresult cuStreamSynchronize(nint stream);
    CUresult cuEventCreate(out nint @event, uint flags);
    CUresult cuEventRecord(nint @event, nint stream);
    CUresult cuEventSynchronize(nint @event);
    CUresult cuEventElapsedTime(out float milliseconds, nint start, nint end);
    CUresult cuEventDestroy(nint @event);

    // ---- graphs: capture on the stream, instantiate, replay (CudaGraph) ----------------------------------------
    CUresult cuStreamBeginCapture(nint stream, int mode);
    CUresult cuStreamEndCapture(nint stream, out nint graph);
    CUresult cuStreamIsCapturing(nint stream, out int captureStatus);
    CUresult cuGraphInstantiateWithFlags(out nint graphExec, nint graph, ulong flags);
    CUresult cuGraphLaunch(nint graphExec, nint stream);
    CUresult cuGraphExecDestroy(nint graphExec);
    CUresult cuGraphDestroy(nint graph);

    // ---- cublas ----------------------------------------------------------------------------------------------
    int cublasGetVersion(nint handle, out int version);
    int cublasSetMathMode(nint handle, int mode);
    int cublasSgemm(nint handle, int transa, int transb, int m, int n, int k, float* alpha, ulong a, int lda, ulong b,
        int ldb, float* beta, ulong c, int ldc);
    int cublasGemmEx(nint handle, int transa, int transb, int m, int n, int k, float* alpha, ulong a, int aType, int lda,
        ulong b, int bType, int ldb, float* beta, ulong c, int cType, int ldc, int computeType, int algo);

    // ---- cudnn -----------------------------------------------------------------------------------------------
    int cudnnCreateTensorDescriptor(out nint descriptor);
    int cudnnSetTensor4dDescriptor(nint descriptor, int format, int dataType, int n, int c, int h, int w);
    int cudnnCreateFilterDescriptor(out nint descriptor);
    int cudnnSetFilter4dDescriptor(nint descriptor, int dataType, int format, int k, int c, int h, int w);
    int cudnnCreateConvolutionDescriptor(out nint descriptor);
    int cudnnSetConvolution2dDescriptor(nint descriptor, int padH, int padW, int strideH, int strideW, int dilationH,
        int dilationW, int mode, int computeType);
    int cudnnSetConvolutionMathType(nint descriptor, int mathType);
    int cudnnGetConvolutionForwardAlgorithm_v7(nint handle, nint xDesc, nint wDesc, nint convDesc, nint yDesc,
        int requestedAlgoCount, out int returnedAlgoCount, CudnnAlgoPerf* perfResults);
    int cudnnGetConvolutionBackwardDataAlgorithm_v7(nint handle, nint wDesc, nint dyDesc, nint convDesc, nint dxDesc,
        int requestedAlgoCount, out int returnedAlgoCount, CudnnAlgoPerf* perfResults);
    int cudnnGetConvolutionBackwardFilterAlgorithm_v7(nint handle, nint xDesc, nint dyDesc, nint convDesc, nint dwDesc,
        int requestedAlgoCount, out int returnedAlgoCount, CudnnAlgoPerf* perfResults);
    int cudnnFindConvolutionForwardAlgorithmEx(nint handle, nint xDesc, ulong x, nint wDesc, ulong w, nint convDesc,
        nint yDesc, ulong y, int requestedAlgoCount, out int returnedAlgoCount, CudnnAlgoPerf* perfResults,
        ulong workSpace, nuint workSpaceSizeInBytes);
    int cudnnFindConvolutionBackwardDataAlgorithmEx(nint handle, nint wDesc, ulong w, nint dyDesc, ulong dy, nint convDesc,
        nint dxDesc, ulong dx, int requestedAlgoCount, out int returnedAlgoCount, CudnnAlgoPerf* perfResults,
        ulong workSpace, nuint workSpaceSizeInBytes);
    int cudnnFindConvolutionBackwardFilterAlgorithmEx(nint handle, nint xDesc, ulong x, nint dyDesc, ulong dy, nint convDesc,
        nint dwDesc, ulong dw, int requestedAlgoCount, out int returnedAlgoCount, CudnnAlgoPerf* perfResults,
        ulong workSpace, nuint workSpaceSizeInBytes);
    int cudnnGetConvolutionForwardWorkspaceSize(nint handle, nint xDesc, nint wDesc, nint convDesc, nint yDesc,
        int algo, out nuint sizeInBytes);
    int cudnnGetConvolutionBackwardDataWorkspaceSize(nint handle, nint wDesc, nint dyDesc, nint convDesc, nint dxDesc,
        int algo, out nuint sizeInBytes);
    int cudnnGetConvolutionBackwardFilterWorkspaceSize(nint handle, nint xDesc, nint dyDesc, nint convDesc, nint dwDesc,
        int algo, out nuint sizeInBytes);
    int cudnnConvolutionForward(nint handle, float* alpha, nint xDesc, ulong x, nint wDesc, ulong w, nint convDesc,
        int algo, ulong workSpace, nuint workSpaceSizeInBytes, float* beta, nint yDesc, ulong y);
    int cudnnConvolutionBackwardData(nint handle, float* alpha, nint wDesc, ulong w, nint dyDesc, ulong dy,
        nint convDesc, int algo, ulong workSpace, nuint workSpaceSizeInBytes, float* beta, nint dxDesc, ulong dx);
    int cudnnConvolutionBackwardFilter(nint handle, float* alpha, nint xDesc, ulong x, nint dyDesc, ulong dy,
        nint convDesc, int algo, ulong workSpace, nuint workSpaceSizeInBytes, float* beta, nint dwDesc, ulong dw);
    int cudnnBatchNormalizationForwardTraining(nint handle, int mode, float* alpha, float* beta, nint xDesc, ulong x,
        nint yDesc, ulong y, nint scaleBiasMeanVarDesc, ulong scale, ulong bias, double exponentialAverageFactor,
        ulong runningMean, ulong runningVariance, double epsilon, ulong saveMean, ulong saveInvVariance);
    int cudnnBatchNormalizationBackward(nint handle, int mode, float* alphaDataDiff, float* betaDataDiff,
        float* alphaParamDiff, float* betaParamDiff, nint xDesc, ulong x, nint dyDesc, ulong dy, nint dxDesc, ulong dx,
        nint scaleBiasDesc, ulong scale, ulong dScale, ulong dBias, double epsilon, ulong savedMean, ulong savedInvVariance);
}
