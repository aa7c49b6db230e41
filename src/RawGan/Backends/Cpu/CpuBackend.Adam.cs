using System.Numerics;
using RawGan.Tensors;

namespace RawGan.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void AdamStep(Tensor param, Tensor grad, Tensor m, Tensor v, AdamHyper h)
    {
        if (param.DType == DType.Float32) AdamT(F<float>(param), F<float>(grad), F<float>(m), F<float>(v), h);
        else AdamT(F<double>(param), F<double>(grad), F<double>(m), F<double>(v), h);
    }

    // PyTorch 1.13's single-tensor Adam in its order of operations (mul_/add_, addcmul_, addcdiv_), the golden
    // files' version; PyTorch 2.x updates m with lerp_, which may round differently in the last bit: m ← β1·m + (1-β1)·g;  v ← β2·v + (1-β2)·g·g;
    // p ← p + (-lr/(1-β1ᵗ))·m / (sqrt(v)/sqrt(1-β2ᵗ) + eps).
    private static void AdamT<T>(T[] p, T[] g, T[] m, T[] v, AdamHyper h) where T : IFloatingPointIeee754<T>
    {
        T b1 = T.CreateTruncating(h.Beta1), b2 = T.CreateTruncating(h.Beta2), eps = T.CreateTruncating(h.Eps);
        T wd = T.CreateTruncating(h.WeightDecay);
        T negStepSize = -T.CreateTruncating(h.Lr / (1 - Math.Pow(h.Beta1, h.Step)));
        T bc2Sqrt = T.CreateTruncating(Math.Sqrt(1 - Math.Pow(h.Beta2, h.Step)));
        T oneMinusB1 = T.CreateTruncating(1 - h.Beta1), oneMinusB2 = T.CreateTruncating(1 - h.Beta2);
        CpuParallel.For(p.Length, 1 << 14, (lo, hi) =>
        {
            for (long i = lo; i < hi; i++)
            {
                T gi = wd == T.Zero ? g[i] : g[i] + wd * p[i];
                m[i] = m[i] * b1 + oneMinusB1 * gi;
                v[i] = v[i] * b2 + oneMinusB2 * gi * gi;
                p[i] += negStepSize * m[i] / (T.Sqrt(v[i]) / bc2Sqrt + eps);
            }
        });
    }
}
