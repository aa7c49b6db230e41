using System.Runtime.InteropServices;

namespace RawGan.Backends.Cuda;

/// <summary>cudnnConvolution{Fwd,BwdData,BwdFilter}AlgoPerf_t (cudnn_cnn.h, cuDNN 9): the three structs share
/// this layout: algo, status, time, (4 bytes padding), memory, determinism, mathType, reserved[3]: 48 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CudnnAlgoPerf
{
    public int Algo;
    public int Status;          // cudnnStatus_t
    public float Time;          // ms (0 or -1 for heuristics)
    public nuint Memory;        // workspace bytes
    public int Determinism;     // cudnnDeterminism_t: 0 non-deterministic, 1 deterministic
    public int MathType;        // cudnnMathType_t
    public int Reserved0, Reserved1, Reserved2;
}

internal static partial class Interop
{
    /// <summary>cuDNN 9's legacy convolution API (tensor, filter and convolution descriptors; forward, backward
    /// data, backward filter; algorithm choice and workspace). Scalars alpha/beta are host pointers to float for
    /// float tensors.</summary>
    internal static unsafe partial class Cudnn
    {
        private const string Lib = CudnnLibrary;

        public const int StatusSuccess = 0;           // CUDNN_STATUS_SUCCESS
        public const int DataFloat = 0;               // CUDNN_DATA_FLOAT
        public const int DataBFloat16 = 9;            // CUDNN_DATA_BFLOAT16 (with a CUDNN_DATA_FLOAT compute type)
        public const int TensorNchw = 0;              // CUDNN_TENSOR_NCHW
        public const int TensorNhwc = 1;              // CUDNN_TENSOR_NHWC
        public const int CrossCorrelation = 1;        // CUDNN_CROSS_CORRELATION (PyTorch's convolution)
        public const int DefaultMath = 0;             // CUDNN_DEFAULT_MATH: TF32 tensor cores allowed for float
        public const int TensorOpMath = 1;            // CUDNN_TENSOR_OP_MATH
        public const int TensorOpMathAllowConversion = 2;
        public const int FmaMath = 3;                 // CUDNN_FMA_MATH: FMA kernels only, full FP32
        public const int Deterministic = 1;           // CUDNN_DETERMINISTIC (cudnnDeterminism_t), in CudnnAlgoPerf

        [LibraryImport(Lib, EntryPoint = "cudnnGetVersion")]
        public static partial nuint cudnnGetVersion();

        [LibraryImport(Lib, EntryPoint = "cudnnGetCudartVersion")]
        public static partial nuint cudnnGetCudartVersion();

        [LibraryImport(Lib, EntryPoint = "cudnnGetErrorString")]
        private static partial nint cudnnGetErrorString(int status);

        [LibraryImport(Lib, EntryPoint = "cudnnGetLastErrorString")]
        private static partial void cudnnGetLastErrorString(byte* message, nuint maxSize);

        [LibraryImport(Lib, EntryPoint = "cudnnCreate")]
        public static partial int cudnnCreate(out nint handle);

        [LibraryImport(Lib, EntryPoint = "cudnnDestroy")]
        public static partial int cudnnDestroy(nint handle);

        [LibraryImport(Lib, EntryPoint = "cudnnSetStream")]
        public static partial int cudnnSetStream(nint handle, nint stream);

        // ---- descriptors ---------------------------------------------------------------------------------------
        [LibraryImport(Lib, EntryPoint = "cudnnCreateTensorDescriptor")]
        public static partial int cudnnCreateTensorDescriptor(out nint descriptor);

        [LibraryImport(Lib, EntryPoint = "cudnnSetTensor4dDescriptor")]
        public static partial int cudnnSetTensor4dDescriptor(nint descriptor, int format, int dataType, int n, int c, int h, int w);

        [LibraryImport(Lib, EntryPoint = "cudnnDestroyTensorDescriptor")]
        public static partial int cudnnDestroyTensorDescriptor(nint descriptor);

        [LibraryImport(Lib, EntryPoint = "cudnnCreateFilterDescriptor")]
        public static partial int cudnnCreateFilterDescriptor(out nint descriptor);

        /// <summary>Note the order: data type before format (unlike the tensor descriptor).</summary>
        [LibraryImport(Lib, EntryPoint = "cudnnSetFilter4dDescriptor")]
        public static partial int cudnnSetFilter4dDescriptor(nint descriptor, int dataType, int format, int k, int c, int h, int w);

        [LibraryImport(Lib, EntryPoint = "cudnnDestroyFilterDescriptor")]
        public static partial int cudnnDestroyFilterDescriptor(nint descriptor);

        [LibraryImport(Lib, EntryPoint = "cudnnCreateConvolutionDescriptor")]
        public static partial int cudnnCreateConvolutionDescriptor(out nint descriptor);

        [LibraryImport(Lib, EntryPoint = "cudnnSetConvolution2dDescriptor")]
        public static partial int cudnnSetConvolution2dDescriptor(nint descriptor, int padH, int padW, int strideH, int strideW,
            int dilationH, int dilationW, int mode, int computeType);

        [LibraryImport(Lib, EntryPoint = "cudnnSetConvolutionMathType")]
        public static partial int cudnnSetConvolutionMathType(nint descriptor, int mathType);

        [LibraryImport(Lib, EntryPoint = "cudnnDestroyConvolutionDescriptor")]
        public static partial int cudnnDestroyConvolutionDescriptor(nint descriptor);

        // ---- algorithm choice (heuristics) and workspace ---------------------------------------------------------
        [LibraryImport(Lib, EntryPoint = "cudnnGetConvolutionForwardAlgorithm_v7")]
        public static partial int cudnnGetConvolutionForwardAlgorithm_v7(nint handle, nint xDesc, nint wDesc, nint convDesc, nint yDesc,
            int requestedAlgoCount, out int returnedAlgoCount, CudnnAlgoPerf* perfResults);

        [LibraryImport(Lib, EntryPoint = "cudnnGetConvolutionBackwardDataAlgorithm_v7")]
        public static partial int cudnnGetConvolutionBackwardDataAlgorithm_v7(nint handle, nint wDesc, nint dyDesc, nint convDesc, nint dxDesc,
            int requestedAlgoCount, out int returnedAlgoCount, CudnnAlgoPerf* perfResults);

        [LibraryImport(Lib, EntryPoint = "cudnnGetConvolutionBackwardFilterAlgorithm_v7")]
        public static partial int cudnnGetConvolutionBackwardFilterAlgorithm_v7(nint handle, nint xDesc, nint dyDesc, nint convDesc, nint dwDesc,
            int requestedAlgoCount, out int returnedAlgoCount, CudnnAlgoPerf* perfResults);

        // ---- algorithm choice by measurement (the backend's ConvAlgorithmSearch.Benchmark, and tools/bench's
        // reference). cuDNN runs each algorithm that fits the workspace given on the buffers given (overwriting
        // the output) and returns them sorted fastest first. Each result's MathType is the one it was timed with:
        // set it on the convolution descriptor before running that algorithm.
        [LibraryImport(Lib, EntryPoint = "cudnnFindConvolutionForwardAlgorithmEx")]
        public static partial int cudnnFindConvolutionForwardAlgorithmEx(nint handle, nint xDesc, ulong x, nint wDesc, ulong w, nint convDesc,
            nint yDesc, ulong y, int requestedAlgoCount, out int returnedAlgoCount, CudnnAlgoPerf* perfResults,
            ulong workSpace, nuint workSpaceSizeInBytes);

        [LibraryImport(Lib, EntryPoint = "cudnnFindConvolutionBackwardDataAlgorithmEx")]
        public static partial int cudnnFindConvolutionBackwardDataAlgorithmEx(nint handle, nint wDesc, ulong w, nint dyDesc, ulong dy, nint convDesc,
            nint dxDesc, ulong dx, int requestedAlgoCount, out int returnedAlgoCount, CudnnAlgoPerf* perfResults,
            ulong workSpace, nuint workSpaceSizeInBytes);

        [LibraryImport(Lib, EntryPoint = "cudnnFindConvolutionBackwardFilterAlgorithmEx")]
        public static partial int cudnnFindConvolutionBackwardFilterAlgorithmEx(nint handle, nint xDesc, ulong x, nint dyDesc, ulong dy, nint convDesc,
            nint dwDesc, ulong dw, int requestedAlgoCount, out int returnedAlgoCount, CudnnAlgoPerf* perfResults,
            ulong workSpace, nuint workSpaceSizeInBytes);

        [LibraryImport(Lib, EntryPoint = "cudnnGetConvolutionForwardWorkspaceSize")]
        public static partial int cudnnGetConvolutionForwardWorkspaceSize(nint handle, nint xDesc, nint wDesc, nint convDesc, nint yDesc,
            int algo, out nuint sizeInBytes);

        [LibraryImport(Lib, EntryPoint = "cudnnGetConvolutionBackwardDataWorkspaceSize")]
        public static partial int cudnnGetConvolutionBackwardDataWorkspaceSize(nint handle, nint wDesc, nint dyDesc, nint convDesc, nint dxDesc,
            int algo, out nuint sizeInBytes);

        [LibraryImport(Lib, EntryPoint = "cudnnGetConvolutionBackwardFilterWorkspaceSize")]
        public static partial int cudnnGetConvolutionBackwardFilterWorkspaceSize(nint handle, nint xDesc, nint dyDesc, nint convDesc, nint dwDesc,
            int algo, out nuint sizeInBytes);

        // ---- the three convolutions: out = alpha·op(inputs) + beta·out ------------------------------------------
        [LibraryImport(Lib, EntryPoint = "cudnnConvolutionForward")]
        public static partial int cudnnConvolutionForward(nint handle, float* alpha, nint xDesc, ulong x, nint wDesc, ulong w, nint convDesc,
            int algo, ulong workSpace, nuint workSpaceSizeInBytes, float* beta, nint yDesc, ulong y);

        [LibraryImport(Lib, EntryPoint = "cudnnConvolutionBackwardData")]
        public static partial int cudnnConvolutionBackwardData(nint handle, float* alpha, nint wDesc, ulong w, nint dyDesc, ulong dy, nint convDesc,
            int algo, ulong workSpace, nuint workSpaceSizeInBytes, float* beta, nint dxDesc, ulong dx);

        [LibraryImport(Lib, EntryPoint = "cudnnConvolutionBackwardFilter")]
        public static partial int cudnnConvolutionBackwardFilter(nint handle, float* alpha, nint xDesc, ulong x, nint dyDesc, ulong dy, nint convDesc,
            int algo, ulong workSpace, nuint workSpaceSizeInBytes, float* beta, nint dwDesc, ulong dw);

        // ---- batch normalisation (training mode: CudaBackend.CudnnBatchNorm.cs; tools/bench times it against the PTX).
        // The scale/bias/mean/variance descriptor is [1, C, 1, 1]; the saved inverse variance is 1/sqrt(var + eps).
        public const int BatchNormSpatial = 1;            // CUDNN_BATCHNORM_SPATIAL: per channel over N, H, W
        public const int BatchNormSpatialPersistent = 2;  // CUDNN_BATCHNORM_SPATIAL_PERSISTENT: faster, may overflow

        [LibraryImport(Lib, EntryPoint = "cudnnBatchNormalizationForwardTraining")]
        public static partial int cudnnBatchNormalizationForwardTraining(nint handle, int mode, float* alpha, float* beta, nint xDesc, ulong x,
            nint yDesc, ulong y, nint scaleBiasMeanVarDesc, ulong scale, ulong bias, double exponentialAverageFactor,
            ulong runningMean, ulong runningVariance, double epsilon, ulong saveMean, ulong saveInvVariance);

        [LibraryImport(Lib, EntryPoint = "cudnnBatchNormalizationBackward")]
        public static partial int cudnnBatchNormalizationBackward(nint handle, int mode, float* alphaDataDiff, float* betaDataDiff,
            float* alphaParamDiff, float* betaParamDiff, nint xDesc, ulong x, nint dyDesc, ulong dy, nint dxDesc, ulong dx,
            nint scaleBiasDesc, ulong scale, ulong dScale, ulong dBias, double epsilon, ulong savedMean, ulong savedInvVariance);

        // ---- errors --------------------------------------------------------------------------------------------
        public static string StatusString(int status)
        {
            try { return Marshal.PtrToStringUTF8(cudnnGetErrorString(status)) ?? $"cudnnStatus {status}"; }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return $"cudnnStatus {status}"; }
        }

        /// <summary>cuDNN 9's detailed message for the last failure on this thread (empty when there is none).</summary>
        public static string LastErrorString()
        {
            try
            {
                byte* buffer = stackalloc byte[1024];
                buffer[0] = 0;
                cudnnGetLastErrorString(buffer, 1024);
                return Marshal.PtrToStringUTF8((nint)buffer) ?? "";
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return ""; }
        }
    }
}
