using RawGan.Tensors;

namespace RawGan.Autograd;

/// <summary>
/// One recorded op: its inputs and the rule that maps the gradient of its output to the gradients of its inputs
/// (null where an input needs none). As in micrograd, a rule only returns gradients; the engine adds them up,
/// so a tensor used twice receives the sum. The node remembers the version of each input's storage (and of its
/// output's, when the rule reads the output) so that backward refuses values an in-place op has overwritten since.
/// </summary>
public sealed class Node(string op, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
{
    /// <summary>The op's name, used in error messages ("conv2d", "batch_norm").</summary>
    public string Op { get; } = op;
    public Tensor[] Inputs { get; } = inputs;
    public Func<Tensor, Tensor?[]> BackwardRule { get; } = backward;

    internal int[] InputVersions { get; } = Array.ConvertAll(inputs, t => t.Storage.Version);

    /// <summary>The output's storage version, for rules that read the output (tanh, sigmoid); null otherwise.</summary>
    internal int? OutputVersion { get; init; }

    /// <summary>Throws when an input (or the output, for rules that read it) was modified in place after recording.</summary>
    internal void CheckVersions(Tensor output)
    {
        for (int i = 0; i < Inputs.Length; i++)
            if (Inputs[i].Storage.Version != InputVersions[i])
                throw Modified($"input {i} ({Inputs[i].Shape})");
        if (OutputVersion is int v && output.Storage.Version != v) throw Modified($"its output ({output.Shape})");
    }

    private InvalidOperationException Modified(string which) =>
        new($"Backward of '{Op}' needs {which} as it was when '{Op}' ran, but an in-place op (such as relu_ or a module " +
            "with inplace: true) has overwritten it since; use the out-of-place op there.");
}
