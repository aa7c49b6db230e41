using RawGan.Tensors;

namespace RawGan.Ops;

public static partial class F
{
    /// <summary>
    /// The gradients of <paramref name="output"/> with respect to <paramref name="inputs"/>, as torch.autograd.grad:
    /// returned, not accumulated into <see cref="Tensor.Grad"/>; null for an input the output does not depend on.
    /// <paramref name="gradOutput"/> is the upstream gradient (ones for a scalar output when null). With
    /// <paramref name="createGraph"/> (and grad mode on) the backward pass is recorded like any other computation, so
    /// a function of these gradients (a gradient penalty) can itself be differentiated. This lives in the ops, not in
    /// Autograd, because adding up gradients differentiably needs <see cref="Add"/>: the tape below takes it as a
    /// parameter and stays free of ops.
    /// </summary>
    public static Tensor?[] Grad(Tensor output, Tensor[] inputs, Tensor? gradOutput = null, bool createGraph = false) =>
        Autograd.Backward.Grad(output, gradOutput, inputs, createGraph ? Add : null);
}
