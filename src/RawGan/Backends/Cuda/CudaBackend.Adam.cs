using RawGan.Tensors;
using static RawGan.Backends.Cuda.KernelArg;

namespace RawGan.Backends.Cuda;

/// <summary>The bindings of kernels/adam.ptx.</summary>
internal static class AdamKernels
{
    public const string File = "adam.ptx";

    /// <summary>adam_step_f32(.u64 p, g, m, v, n, .f32 beta1, beta2, one_minus_beta1, one_minus_beta2, neg_step_size,
    /// bc2_sqrt, eps, weight_decay).</summary>
    public static readonly KernelSpec Step = new(File, "adam_step_f32",
        "u64", "u64", "u64", "u64", "u64", "f32", "f32", "f32", "f32", "f32", "f32", "f32", "f32");
}

public sealed partial class CudaBackend
{
    public void AdamStep(Tensor param, Tensor grad, Tensor m, Tensor v, AdamHyper h)
    {
        RequireFloat32("adam", param);
        long n = param.Numel;
        if (n == 0) return;
        // The scalars exactly as the CPU reference computes them: in double, each rounded once to float.
        float beta1 = (float)h.Beta1, beta2 = (float)h.Beta2;
        float oneMinusBeta1 = (float)(1 - h.Beta1), oneMinusBeta2 = (float)(1 - h.Beta2);
        float negStepSize = -(float)(h.Lr / (1 - Math.Pow(h.Beta1, h.Step)));
        float bc2Sqrt = (float)Math.Sqrt(1 - Math.Pow(h.Beta2, h.Step));
        Kernels.Launch(AdamKernels.Step, QuadGrid(n), Block,
            U64(Ptr(param)), U64(Ptr(grad)), U64(Ptr(m)), U64(Ptr(v)), U64(n),
            F32(beta1), F32(beta2), F32(oneMinusBeta1), F32(oneMinusBeta2), F32(negStepSize), F32(bc2Sqrt), F32((float)h.Eps), F32((float)h.WeightDecay));
    }
}
