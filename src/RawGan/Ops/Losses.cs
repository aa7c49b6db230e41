using RawGan.Autograd;
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

    /// <summary>
    /// Softmax cross-entropy of logits [N, K] against class probabilities [N, K] (one-hot rows for hard labels),
    /// averaged over the batch: torch.nn.functional.cross_entropy with probability targets, the mean over rows of
    /// Σ_k t_k (log Σ_j exp(x_j) − x_k). Composed from recorded ops, so it runs on any backend and differentiates twice.
    /// Each row is first shifted by its maximum, found by a max pool over the row and detached: the loss and its
    /// gradient do not depend on the shift, and exp then never overflows, whatever the logits.
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor target)
    {
        const string op = "cross_entropy";
        RequireRank(op, logits, 2, "input", "[N, classes]");
        RequireFloat(op, logits);
        RequireCompatible(op, logits, target);
        if (target.Shape != logits.Shape)
            throw new ArgumentException($"{op}: target shape {target.Shape} differs from input shape {logits.Shape} (class probabilities per row).");
        if (target.RequiresGrad)
            throw new ArgumentException($"{op}: gradients with respect to the target are not supported; detach the target.");
        int n = logits.Shape[0], k = logits.Shape[1];
        Tensor rowMax = Reshape(MaxPool2d(Reshape(logits.Detach(), n, 1, 1, k), (1, k)), n, 1);
        Tensor shifted = logits - rowMax;
        Tensor logSumExp = Log(SumTo(Exp(shifted), new Shape(n, 1)));
        return Mean(SumTo(target * (logSumExp - shifted), new Shape(n, 1)));
    }

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
            Tensor dx = LossDerivative(kind, input, target, dl);
            return [dx, target.RequiresGrad ? Neg(dx) : null];
        });
        return reduction switch
        {
            Reduction.Mean => Mean(loss),
            Reduction.Sum => Sum(loss),
            _ => loss,
        };
    }

    /// <summary>dInput = dl · ∂loss/∂input: the fused primitive for a first-order backward, ops when the backward pass
    /// is recorded (BCE on probabilities has no recorded form: its clamped logs make it a poor thing to differentiate
    /// twice; the logits form is the one to use).</summary>
    private static Tensor LossDerivative(LossKind kind, Tensor input, Tensor target, Tensor dl)
    {
        if (GradMode.Enabled && (input.RequiresGrad || dl.RequiresGrad || target.RequiresGrad))
            return kind switch
            {
                LossKind.SquaredError => Mul(dl, Scale(Sub(input, target), 2)),
                LossKind.BinaryCrossEntropyWithLogits => Mul(dl, Sub(Sigmoid(input), target)),
                _ => throw new NotSupportedException("binary_cross_entropy: a gradient of its gradient (create_graph) is not supported; use binary_cross_entropy_with_logits."),
            };
        Tensor dx = EmptyLike(input);
        input.Backend.LossBackward(kind, input, target, dl, dx);
        return dx;
    }
}
