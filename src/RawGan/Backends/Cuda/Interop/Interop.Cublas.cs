using System.Runtime.InteropServices;

namespace RawGan.Backends.Cuda;

internal static partial class Interop
{
    /// <summary>cuBLAS (cublas_api.h, v2 API). Column-major: a row-major C = A·B is computed as Cᵀ = Bᵀ·Aᵀ.</summary>
    internal static unsafe partial class Cublas
    {
        private const string Lib = CublasLibrary;

        public const int StatusSuccess = 0;      // CUBLAS_STATUS_SUCCESS
        public const int OpN = 0;                // CUBLAS_OP_N
        public const int OpT = 1;                // CUBLAS_OP_T
        public const int DefaultMath = 0;        // CUBLAS_DEFAULT_MATH: FP32 GEMMs run in FP32 (no TF32)
        public const int PedanticMath = 2;       // CUBLAS_PEDANTIC_MATH
        public const int Tf32TensorOpMath = 3;   // CUBLAS_TF32_TENSOR_OP_MATH

        // cublasGemmEx's operand types and compute type (library_types.h, cublas_api.h).
        public const int DataFloat = 0;          // CUDA_R_32F
        public const int DataBFloat16 = 14;      // CUDA_R_16BF
        public const int Compute32F = 68;        // CUBLAS_COMPUTE_32F: float32 accumulation (bf16 inputs on tensor cores)
        public const int GemmDefault = -1;       // CUBLAS_GEMM_DEFAULT: cuBLAS's heuristic picks the kernel

        // libraryPropertyType (library_types.h) for cublasGetProperty.
        public const int MajorVersion = 0, MinorVersion = 1, PatchLevel = 2;

        [LibraryImport(Lib, EntryPoint = "cublasCreate_v2")]
        public static partial int cublasCreate(out nint handle);

        [LibraryImport(Lib, EntryPoint = "cublasDestroy_v2")]
        public static partial int cublasDestroy(nint handle);

        [LibraryImport(Lib, EntryPoint = "cublasGetVersion_v2")]
        public static partial int cublasGetVersion(nint handle, out int version);

        [LibraryImport(Lib, EntryPoint = "cublasGetProperty")]
        public static partial int cublasGetProperty(int type, out int value);

        /// <summary>cudaStream_t and CUstream are the same handle.</summary>
        [LibraryImport(Lib, EntryPoint = "cublasSetStream_v2")]
        public static partial int cublasSetStream(nint handle, nint stream);

        [LibraryImport(Lib, EntryPoint = "cublasSetMathMode")]
        public static partial int cublasSetMathMode(nint handle, int mode);

        /// <summary>Scalars by host pointer (the default CUBLAS_POINTER_MODE_HOST); A, B, C device pointers.</summary>
        [LibraryImport(Lib, EntryPoint = "cublasSgemm_v2")]
        public static partial int cublasSgemm(nint handle, int transa, int transb, int m, int n, int k,
            float* alpha, ulong a, int lda, ulong b, int ldb, float* beta, ulong c, int ldc);

        /// <summary>C = alpha·op(A)·op(B) + beta·C with each operand's own type (cudaDataType) and the compute type
        /// (cublasComputeType_t); alpha and beta are host pointers of the compute type's scalar (float for
        /// CUBLAS_COMPUTE_32F).</summary>
        [LibraryImport(Lib, EntryPoint = "cublasGemmEx")]
        public static partial int cublasGemmEx(nint handle, int transa, int transb, int m, int n, int k, float* alpha,
            ulong a, int aType, int lda, ulong b, int bType, int ldb, float* beta, ulong c, int cType, int ldc, int computeType, int algo);

        [LibraryImport(Lib, EntryPoint = "cublasGetStatusName")]
        private static partial nint cublasGetStatusName(int status);

        [LibraryImport(Lib, EntryPoint = "cublasGetStatusString")]
        private static partial nint cublasGetStatusString(int status);

        public static string StatusName(int status)
        {
            try { return Marshal.PtrToStringUTF8(cublasGetStatusName(status)) ?? $"cublasStatus {status}"; }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return $"cublasStatus {status}"; }
        }

        public static string StatusString(int status)
        {
            try { return Marshal.PtrToStringUTF8(cublasGetStatusString(status)) ?? ""; }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return ""; }
        }
    }
}
