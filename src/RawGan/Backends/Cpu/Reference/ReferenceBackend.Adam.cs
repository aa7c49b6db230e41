using System.Numerics;
using RawGan.Tensors;

namespace RawGan.Backends.Cpu.Reference;

public sealed partial class ReferenceBackend
{
    public void AdamStep(Tensor param, Tensor grad, Tensor m, Tensor v, AdamHyper h)
    {
        if (param.DType == DType.Float32) AdamT(F<float>(param), F<float>(grad), F<float>(m), F<float>(v), h);
        else AdamT(F<double>(param), F<double>(grad), F<double>(m), F<double>(v), h);
    }

    /// <summary>PyTorch 1.13's single-tensor Adam, one element at a time in its order of operations, t = h.Step:
    /// g ← g + wd·p;  m ← β1·m + (1-β1)·g;  v ← β2·v + (1-β2)·g²;
    /// p ← p - lr/(1-β1ᵗ) · m / (sqrt(v)/sqrt(1-β2ᵗ) + eps).</summary>
    private static void AdamT<T>(T[] p, T[] g, T[] m, T[] v, AdamHyper h) where T : IFloatingPointIeee754<T>
    {
        T beta1 = T.CreateTruncating(h.Beta1), beta2 = T.CreateTruncating(h.Beta2);
        T oneMinusBeta1 = T.CreateTruncating(1 - h.Beta1), oneMinusBeta2 = T.CreateTruncating(1 - h.Beta2);
        T eps = T.CreateTruncating(h.Eps), weightDecay = T.CreateTruncating(h.WeightDecay);
        T stepSize = T.CreateTruncating(h.Lr / (1 - Math.Pow(h.Beta1, h.Step)));
        T sqrtBias2 = T.CreateTruncating(Math.Sqrt(1 - Math.Pow(h.Beta2, h.Step)));
        for (int i = 0; i < p.Length; i++)
        {
            T gi = h.WeightDecay == 0 ? g[i] : g[i] + weightDecay * p[i];
            m[i] = m[i] * beta1 + oneMinusBeta1 * gi;
            v[i] = v[i] * beta2 + oneMinusBeta2 * gi * gi;
            p[i] = p[i] - stepSize * m[i] / (T.Sqrt(v[i]) / sqrtBias2 + eps);
        }
    }
}
