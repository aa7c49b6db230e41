using RawGan.Tensors;

namespace RawGan.Autograd;

/// <summary>
/// One recorded op: its inputs and the rule that maps the gradient of its output to the gradients of its inputs
/// (null where an input needs none). As in micrograd, a rule only returns gradients; the engine adds them up,
/// so a tensor used twice receives the sum.
/// </summary>
public sealed class Node(string op, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
{
    /// <summary>The op's name, used in error messages ("conv2d", "batch_norm").</summary>
    public string Op { get; } = op;
    public Tensor[] Inputs { get; } = inputs;
    public Func<Tensor, Tensor?[]> BackwardRule { get; } = backward;
}
