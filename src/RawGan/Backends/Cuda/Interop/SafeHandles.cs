using System.Runtime.InteropServices;

namespace RawGan.Backends.Cuda;

/// <summary>Base for native handles whose release is a cuBLAS/cuDNN destroy call. Release failures are ignored
/// (a finaliser cannot report them, and they only happen when the context is already gone).</summary>
internal abstract class NativeHandle : SafeHandle
{
    protected NativeHandle(nint handle) : base(0, ownsHandle: true) => SetHandle(handle);
    public override bool IsInvalid => handle == 0;
    public nint Value => handle;
}

internal sealed class CublasHandle(nint h) : NativeHandle(h)
{
    protected override bool ReleaseHandle() => Interop.Cublas.cublasDestroy(handle) == 0;
}

internal sealed class CudnnHandle(nint h) : NativeHandle(h)
{
    protected override bool ReleaseHandle() => Interop.Cudnn.cudnnDestroy(handle) == 0;
}

internal sealed class CudnnTensorDescriptor(nint h) : NativeHandle(h)
{
    protected override bool ReleaseHandle() => Interop.Cudnn.cudnnDestroyTensorDescriptor(handle) == 0;
}

internal sealed class CudnnFilterDescriptor(nint h) : NativeHandle(h)
{
    protected override bool ReleaseHandle() => Interop.Cudnn.cudnnDestroyFilterDescriptor(handle) == 0;
}

internal sealed class CudnnConvolutionDescriptor(nint h) : NativeHandle(h)
{
    protected override bool ReleaseHandle() => Interop.Cudnn.cudnnDestroyConvolutionDescriptor(handle) == 0;
}

/// <summary>A CUDA event (for timing in benchmarks).</summary>
internal sealed class CudaEventHandle(nint h) : NativeHandle(h)
{
    protected override bool ReleaseHandle() => Interop.Driver.cuEventDestroy(handle) == CUresult.Success;
}
