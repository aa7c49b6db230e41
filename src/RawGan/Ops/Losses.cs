using RawGan.Backends;
using RawGan.Tensors;

namespace RawGan.Ops;

/// <summary>How a loss reduces its per-element values, as PyTorch's reduction argument.</summary>
public enum Reduction { Mean, Sum, None }

public static partial class F
{
    /// <summary>Binary cross-entropy on probabilities (torch.nn.BCELoss): each log is clamped at -100.</summary>
    public static Tensor BinaryCrossEntropy(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
        Loss("binary_cross_entropy", LossKind.BinaryCrossEntropy, input, target, reduction);

    /// <summary>Binary cross-entropy on logits (torch.nn.BCEWithLogitsLoss), stable for any logit.</summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
        Loss("binary_cross_entropy_with_logits", LossKind.BinaryCrossEntropyWithLogits, input, target, reduction);

    /// <summary>Mean squared error (torch.nn.MSELoss), the least-squares GAN's loss.</summary>
    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
        Loss("mse_loss", LossKind.SquaredError, input, target, reduction);

    private static Tensor Loss(string op, LossKind kind, Tensor input, Tensor target, Reduction reduction)
    {
        RequireCompatible(op, input, target);
        RequireFloat(op, input);
        if (input.Shape != target.Shape)
            throw new ArgumentException($"{op}: target shape {target.Shape} differs from input shape {input.Shape}.");
        if (target.RequiresGrad && kind != LossKind.SquaredError)
            throw new ArgumentException($"{op}: gradients with respect to the target are not supported; detach the target.");

        Tensor loss = EmptyLike(input);
        input.Backend.Loss(kind, input, target, loss);
        loss = Record(loss, op, [input, target], dl =>
        {
            Tensor dx = EmptyLike(input);
            input.Backend.LossBackward(kind, input, target, dl, dx);
            return [dx, target.RequiresGrad ? Neg(dx) : null];
        });
        return reduction switch
        {
            Reduction.Mean => Mean(loss),
            Reduction.Sum => Sum(loss),
            _ => loss,
        };
    }
}
