using System.Numerics;
using RawGan.Tensors;

namespace RawGan.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void Loss(LossKind kind, Tensor input, Tensor target, Tensor loss)
    {
        if (input.DType == DType.Float32) LossT(kind, F<float>(input), F<float>(target), F<float>(loss));
        else LossT(kind, F<double>(input), F<double>(target), F<double>(loss));
    }

    public void LossBackward(LossKind kind, Tensor input, Tensor target, Tensor dLoss, Tensor dInput)
    {
        if (input.DType == DType.Float32) LossBackwardT(kind, F<float>(input), F<float>(target), F<float>(dLoss), F<float>(dInput));
        else LossBackwardT(kind, F<double>(input), F<double>(target), F<double>(dLoss), F<double>(dInput));
    }

    private static void LossT<T>(LossKind kind, T[] x, T[] t, T[] l) where T : struct, IFloatingPointIeee754<T>
    {
        T minLog = T.CreateTruncating(-100);
        for (int i = 0; i < x.Length; i++)
        {
            T xi = x[i], ti = t[i];
            l[i] = kind switch
            {
                // PyTorch clamps each log at -100 so that a confident wrong answer costs 100, not infinity.
                LossKind.BinaryCrossEntropy => -(ti * T.Max(T.Log(xi), minLog) + (T.One - ti) * T.Max(T.Log(T.One - xi), minLog)),
                LossKind.BinaryCrossEntropyWithLogits => T.Max(xi, T.Zero) - xi * ti + T.LogP1(T.Exp(-T.Abs(xi))),
                _ => (xi - ti) * (xi - ti),
            };
        }
    }

    private static void LossBackwardT<T>(LossKind kind, T[] x, T[] t, T[] dl, T[] dx) where T : struct, IFloatingPointIeee754<T>
    {
        T eps = T.CreateTruncating(1e-12), two = T.CreateTruncating(2);
        for (int i = 0; i < x.Length; i++)
        {
            T xi = x[i], ti = t[i];
            dx[i] = dl[i] * kind switch
            {
                // PyTorch's BCE backward: (x - t) / max(x(1 - x), 1e-12), finite even at x = 0 or 1.
                LossKind.BinaryCrossEntropy => (xi - ti) / T.Max((T.One - xi) * xi, eps),
                LossKind.BinaryCrossEntropyWithLogits => SigmoidFn<T>.F(xi, T.Zero) - ti,
                _ => two * (xi - ti),
            };
        }
    }
}
