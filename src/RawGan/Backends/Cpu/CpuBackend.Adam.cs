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
    // files' version; PyTorch 2.x updates m with lerp_, which may round differently in the last bit:
    // m ← β1·m + (1-β1)·g;  v ← β2·v + (1-β2)·g·g;  p ← p + (-lr/(1-β1ᵗ))·m / (sqrt(v)/sqrt(1-β2ᵗ) + eps).
    // Vector<T> lanes do exactly the scalar operations (nothing is fused), so every width gives the same bits.
    private static void AdamT<T>(T[] p, T[] g, T[] m, T[] v, AdamHyper h) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var k = new AdamConstants<T>(h);
        int w = Vector<T>.Count;
        CpuParallel.For(p.Length, 1 << 14, (lo, hi) =>
        {
            long i = lo;
            for (; i <= hi - w; i += w) k.Update(p.AsSpan((int)i, w), g.AsSpan((int)i, w), m.AsSpan((int)i, w), v.AsSpan((int)i, w));
            if (i == hi) return;
            // The ragged end: through the same vector code, on copies padded with zeros.
            int n = (int)(hi - i);
            Span<T> pt = stackalloc T[w], gt = stackalloc T[w], mt = stackalloc T[w], vt = stackalloc T[w];
            p.AsSpan((int)i, n).CopyTo(pt);
            g.AsSpan((int)i, n).CopyTo(gt);
            m.AsSpan((int)i, n).CopyTo(mt);
            v.AsSpan((int)i, n).CopyTo(vt);
            k.Update(pt, gt, mt, vt);
            pt[..n].CopyTo(p.AsSpan((int)i, n));
            mt[..n].CopyTo(m.AsSpan((int)i, n));
            vt[..n].CopyTo(v.AsSpan((int)i, n));
        });
    }

    private readonly struct AdamConstants<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Vector<T> _b1, _b2, _oneMinusB1, _oneMinusB2, _eps, _wd, _negStepSize, _bc2Sqrt;
        private readonly bool _decay;

        public AdamConstants(AdamHyper h)
        {
            _b1 = new Vector<T>(T.CreateTruncating(h.Beta1));
            _b2 = new Vector<T>(T.CreateTruncating(h.Beta2));
            _oneMinusB1 = new Vector<T>(T.CreateTruncating(1 - h.Beta1));
            _oneMinusB2 = new Vector<T>(T.CreateTruncating(1 - h.Beta2));
            _eps = new Vector<T>(T.CreateTruncating(h.Eps));
            _wd = new Vector<T>(T.CreateTruncating(h.WeightDecay));
            _decay = h.WeightDecay != 0;
            _negStepSize = new Vector<T>(-T.CreateTruncating(h.Lr / (1 - Math.Pow(h.Beta1, h.Step))));
            _bc2Sqrt = new Vector<T>(T.CreateTruncating(Math.Sqrt(1 - Math.Pow(h.Beta2, h.Step))));
        }

        /// <summary>One vector of parameters (each span is exactly Vector&lt;T&gt;.Count long).</summary>
        public void Update(Span<T> p, ReadOnlySpan<T> g, Span<T> m, Span<T> v)
        {
            Vector<T> pi = new(p), gi = new(g);
            if (_decay) gi += _wd * pi;
            Vector<T> mi = new Vector<T>(m) * _b1 + _oneMinusB1 * gi;
            Vector<T> vi = new Vector<T>(v) * _b2 + _oneMinusB2 * gi * gi;
            mi.CopyTo(m);
            vi.CopyTo(v);
            (pi + _negStepSize * mi / (Vector.SquareRoot(vi) / _bc2Sqrt + _eps)).CopyTo(p);
        }
    }
}
