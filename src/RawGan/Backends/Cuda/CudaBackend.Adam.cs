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

    /// <summary>adam_step_at_f32: as <see cref="Step"/> with neg_step_size and bc2_sqrt read from device memory (.u64
    /// step_scalars_at in their place), for captured steps (CudaGraph's GraphInputs).</summary>
    public static readonly KernelSpec StepAt = new(File, "adam_step_at_f32",
        "u64", "u64", "u64", "u64", "u64", "f32", "f32", "f32", "f32", "u64", "f32", "f32");
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
        if (Resources.Capture is { } capture)
        {
            Kernels.Launch(AdamKernels.StepAt, QuadGrid(n), Block,
                U64(Ptr(param)), U64(Ptr(grad)), U64(Ptr(m)), U64(Ptr(v)), U64(n), F32(beta1), F32(beta2), F32(oneMinusBeta1),
                F32(oneMinusBeta2), U64(capture.AdamScalars(h, Ptr(param))), F32((float)h.Eps), F32((float)h.WeightDecay));
            return;
        }
        (float negStepSize, float bc2Sqrt) = AdamStepScalars(h);
        Kernels.Launch(AdamKernels.Step, QuadGrid(n), Block,
            U64(Ptr(param)), U64(Ptr(grad)), U64(Ptr(m)), U64(Ptr(v)), U64(n),
            F32(beta1), F32(beta2), F32(oneMinusBeta1), F32(oneMinusBeta2), F32(negStepSize), F32(bc2Sqrt), F32((float)h.Eps), F32((float)h.WeightDecay));
    }

    /// <summary>The two scalars that change with the step count (a captured step's replays get them the same way).</summary>
    internal static (float NegStepSize, float Bc2Sqrt) AdamStepScalars(AdamHyper h) =>
        (-(float)(h.Lr / (1 - Math.Pow(h.Beta1, h.Step))), (float)Math.Sqrt(1 - Math.Pow(h.Beta2, h.Step)));
}
