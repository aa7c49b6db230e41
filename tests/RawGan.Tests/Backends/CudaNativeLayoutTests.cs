using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RawGan.Backends.Cuda;

namespace RawGan.Tests.Backends;

/// <summary>The structs passed to the CUDA driver and cuDNN have the layouts of the C headers (cuda.h,
/// cudnn_cnn.h).</summary>
public sealed class CudaNativeLayoutTests
{
    [Fact]
    public void Native_structs_have_the_header_layouts()
    {
        // CUDA_MEMCPY3D: 4 size_t, an enum padded to 8, 4 pointers, 2 size_t per side, then 3 size_t: 200 bytes.
        Assert.Equal(200, Unsafe.SizeOf<CudaMemcpy3D>());
        Assert.Equal(32, (int)Marshal.OffsetOf<CudaMemcpy3D>(nameof(CudaMemcpy3D.SrcMemoryType)));
        Assert.Equal(40, (int)Marshal.OffsetOf<CudaMemcpy3D>(nameof(CudaMemcpy3D.SrcHost)));
        Assert.Equal(48, (int)Marshal.OffsetOf<CudaMemcpy3D>(nameof(CudaMemcpy3D.SrcDevice)));
        Assert.Equal(72, (int)Marshal.OffsetOf<CudaMemcpy3D>(nameof(CudaMemcpy3D.SrcPitch)));
        Assert.Equal(88, (int)Marshal.OffsetOf<CudaMemcpy3D>(nameof(CudaMemcpy3D.DstXInBytes)));
        Assert.Equal(120, (int)Marshal.OffsetOf<CudaMemcpy3D>(nameof(CudaMemcpy3D.DstMemoryType)));
        Assert.Equal(136, (int)Marshal.OffsetOf<CudaMemcpy3D>(nameof(CudaMemcpy3D.DstDevice)));
        Assert.Equal(176, (int)Marshal.OffsetOf<CudaMemcpy3D>(nameof(CudaMemcpy3D.WidthInBytes)));
        Assert.Equal(192, (int)Marshal.OffsetOf<CudaMemcpy3D>(nameof(CudaMemcpy3D.Depth)));
        // cudnnConvolution*AlgoPerf_t: algo, status, time, (pad), memory at 16, determinism, mathType, reserved[3]: 48 bytes.
        Assert.Equal(48, Unsafe.SizeOf<CudnnAlgoPerf>());
        Assert.Equal(16, (int)Marshal.OffsetOf<CudnnAlgoPerf>(nameof(CudnnAlgoPerf.Memory)));
        Assert.Equal(24, (int)Marshal.OffsetOf<CudnnAlgoPerf>(nameof(CudnnAlgoPerf.Determinism)));
        Assert.Equal(28, (int)Marshal.OffsetOf<CudnnAlgoPerf>(nameof(CudnnAlgoPerf.MathType)));
    }
}
