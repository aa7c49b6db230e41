namespace RawGan.Backends.Cuda;

/// <summary>
/// The native surface of the CUDA backend: source-generated P/Invoke declarations for exactly the calls it makes,
/// one nested class per library (<see cref="Driver"/>, <see cref="Cublas"/>, <see cref="Cudnn"/>). Library names
/// are logical: <see cref="NativeLibraries"/> maps each to the file it found (RAWGAN_CUDA_LIBS, the system loader,
/// a Python environment's nvidia/*/lib folders). Signatures follow cuda.h (CUDA 12/13), cublas_api.h (cuBLAS 12/13)
/// and cudnn_graph.h / cudnn_ops.h / cudnn_cnn.h (cuDNN 9); the C types map as
/// int/unsigned int → int/uint, size_t → nuint, CUdeviceptr (v2, 64-bit) → ulong, handles → nint.
/// </summary>
internal static partial class Interop
{
    /// <summary>The CUDA driver API. Versioned entry points (_v2) are the ones cuda.h maps the plain names to.</summary>
    public const string DriverLibrary = "libcuda.so.1";

    /// <summary>cuBLAS: libcublas.so.13 (CUDA 13) or libcublas.so.12, whichever <see cref="NativeLibraries"/> found.</summary>
    public const string CublasLibrary = "libcublas";

    /// <summary>cuDNN 9's dispatch library, which loads libcudnn_ops / _cnn / _engines_* from its own folder.</summary>
    public const string CudnnLibrary = "libcudnn.so.9";
}
