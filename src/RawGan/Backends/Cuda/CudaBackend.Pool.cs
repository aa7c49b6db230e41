using RawGan.Tensors;
using static RawGan.Backends.Cuda.KernelArg;

namespace RawGan.Backends.Cuda;

/// <summary>The bindings of kernels/pool.ptx.</summary>
internal static class PoolKernels
{
    public const string File = "pool.ptx";

    private static readonly string[] Geometry = ["u64", "u32", "u32", "u32", "u32", "u32", "u32", "u32", "u32", "u32", "u32"];

    /// <summary>maxpool_fwd_f32(.u64 x, y, idx, planes, .u32 H, W, P, Q, kh, kw, sh, sw, ph, pw).</summary>
    public static readonly KernelSpec MaxForward = new(File, "maxpool_fwd_f32", ["u64", "u64", "u64", .. Geometry]);

    /// <summary>maxpool_bwd_f32(.u64 dy, idx, dx, planes, .u32 H, W, P, Q, kh, kw, sh, sw, ph, pw).</summary>
    public static readonly KernelSpec MaxBackward = new(File, "maxpool_bwd_f32", ["u64", "u64", "u64", .. Geometry]);

    /// <summary>avgpool_fwd_f32(.u64 x, y, planes, .u32 H, W, P, Q, kh, kw, sh, sw, ph, pw, .u32 include_pad).</summary>
    public static readonly KernelSpec AvgForward = new(File, "avgpool_fwd_f32", ["u64", "u64", .. Geometry, "u32"]);

    /// <summary>avgpool_bwd_f32(.u64 dy, dx, planes, .u32 H, W, P, Q, kh, kw, sh, sw, ph, pw, .u32 include_pad).</summary>
    public static readonly KernelSpec AvgBackward = new(File, "avgpool_bwd_f32", ["u64", "u64", .. Geometry, "u32"]);

    public static KernelArg[] Args(PoolGeometry g) =>
    [
        U64((long)g.N * g.C), U32((uint)g.H), U32((uint)g.W), U32((uint)g.P), U32((uint)g.Q),
        U32((uint)g.KernelH), U32((uint)g.KernelW), U32((uint)g.StrideH), U32((uint)g.StrideW), U32((uint)g.PadH), U32((uint)g.PadW),
    ];
}

public sealed partial class CudaBackend
{
    public void MaxPool2d(PoolGeometry g, Tensor x, Tensor y, Tensor indices)
    {
        RequireFloat32("max_pool2d", x);
        Written(indices.Storage);
        long n = y.Numel;
        if (n == 0) return;
        Kernels.Launch(PoolKernels.MaxForward, Grid(n), Block, [U64(Ptr(x)), U64(Ptr(y)), U64(Ptr(indices)), .. PoolKernels.Args(g)]);
    }

    public void MaxPool2dBackward(PoolGeometry g, Tensor dy, Tensor indices, Tensor dx)
    {
        RequireFloat32("max_pool2d_backward", dy);
        long n = dx.Numel;
        if (n == 0) return;
        Kernels.Launch(PoolKernels.MaxBackward, Grid(n), Block, [U64(Ptr(dy)), U64(Ptr(indices)), U64(Ptr(dx)), .. PoolKernels.Args(g)]);
    }

    public void AvgPool2d(PoolGeometry g, bool countIncludePad, Tensor x, Tensor y)
    {
        RequireFloat32("avg_pool2d", x);
        long n = y.Numel;
        if (n == 0) return;
        Kernels.Launch(PoolKernels.AvgForward, Grid(n), Block, [U64(Ptr(x)), U64(Ptr(y)), .. PoolKernels.Args(g), U32(countIncludePad ? 1u : 0u)]);
    }

    public void AvgPool2dBackward(PoolGeometry g, bool countIncludePad, Tensor dy, Tensor dx)
    {
        RequireFloat32("avg_pool2d_backward", dy);
        long n = dx.Numel;
        if (n == 0) return;
        Kernels.Launch(PoolKernels.AvgBackward, Grid(n), Block, [U64(Ptr(dy)), U64(Ptr(dx)), .. PoolKernels.Args(g), U32(countIncludePad ? 1u : 0u)]);
    }
}
