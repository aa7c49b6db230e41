using RawGan.Tensors;
using static RawGan.Backends.Cuda.KernelArg;

namespace RawGan.Backends.Cuda;

/// <summary>The bindings of kernels/loss.ptx.</summary>
internal static class LossKernels
{
    public const string File = "loss.ptx";
    private static readonly string[] Names = ["bce", "bce_logits", "sq_err"]; // LossKind order

    /// <summary>&lt;loss&gt;_fwd_f32(.u64 x, .u64 t, .u64 l, .u64 n), indexed by <see cref="LossKind"/>.</summary>
    public static readonly KernelSpec[] Forward = Names.Select(n => new KernelSpec(File, $"{n}_fwd_f32", "u64", "u64", "u64", "u64")).ToArray();

    /// <summary>&lt;loss&gt;_bwd_f32(.u64 x, .u64 t, .u64 dl, .u64 dx, .u64 n).</summary>
    public static readonly KernelSpec[] Backward = Names.Select(n => new KernelSpec(File, $"{n}_bwd_f32", "u64", "u64", "u64", "u64", "u64")).ToArray();
}

public sealed partial class CudaBackend
{
    public void Loss(LossKind kind, Tensor input, Tensor target, Tensor loss)
    {
        RequireFloat32("loss " + kind, input);
        long n = input.Numel;
        if (n == 0) return;
        Kernels.Launch(LossKernels.Forward[(int)kind], QuadGrid(n), Block, U64(Ptr(input)), U64(Ptr(target)), U64(Ptr(loss)), U64(n));
    }

    public void LossBackward(LossKind kind, Tensor input, Tensor target, Tensor dLoss, Tensor dInput)
    {
        RequireFloat32("loss backward " + kind, input);
        long n = input.Numel;
        if (n == 0) return;
        Kernels.Launch(LossKernels.Backward[(int)kind], QuadGrid(n), Block,
            U64(Ptr(input)), U64(Ptr(target)), U64(Ptr(dLoss)), U64(Ptr(dInput)), U64(n));
    }
}
