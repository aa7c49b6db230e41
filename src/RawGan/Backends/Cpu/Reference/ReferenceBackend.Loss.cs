using System.Numerics;
using RawGan.Tensors;

namespace RawGan.Backends.Cpu.Reference;

public sealed partial class ReferenceBackend
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

    private static void LossT<T>(LossKind kind, T[] x, T[] t, T[] l) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) l[i] = PointLoss(kind, x[i], t[i]);
    }

    private static void LossBackwardT<T>(LossKind kind, T[] x, T[] t, T[] dl, T[] dx) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) dx[i] = dl[i] * PointLossDerivative(kind, x[i], t[i]);
    }

    /// <summary>PyTorch's formulas: BCELoss clamps each log at -100; BCEWithLogitsLoss is
    /// max(x, 0) - x·t + log(1 + e^-|x|); MSELoss's term is (x - t)².</summary>
    private static T PointLoss<T>(LossKind kind, T x, T t) where T : IFloatingPointIeee754<T>
    {
        T minLog = T.CreateTruncating(-100);
        return kind switch
        {
            LossKind.BinaryCrossEntropy => -(t * T.Max(T.Log(x), minLog) + (T.One - t) * T.Max(T.Log(T.One - x), minLog)),
            LossKind.BinaryCrossEntropyWithLogits => T.Max(x, T.Zero) - x * t + T.LogP1(T.Exp(-T.Abs(x))),
            LossKind.SquaredError => (x - t) * (x - t),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }

    /// <summary>∂loss/∂x: BCE's is PyTorch's (x - t) / max(x(1 - x), 1e-12); with logits, sigmoid(x) - t; 2(x - t).</summary>
    private static T PointLossDerivative<T>(LossKind kind, T x, T t) where T : IFloatingPointIeee754<T> => kind switch
    {
        LossKind.BinaryCrossEntropy => (x - t) / T.Max((T.One - x) * x, T.CreateTruncating(1e-12)),
        LossKind.BinaryCrossEntropyWithLogits => T.One / (T.One + T.Exp(-x)) - t,
        LossKind.SquaredError => T.CreateTruncating(2) * (x - t),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
