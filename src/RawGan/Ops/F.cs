using RawGan.Autograd;
using RawGan.Backends;
using RawGan.Tensors;

namespace RawGan.Ops;

/// <summary>
/// The differentiable ops, named as in torch.nn.functional. Each one checks its arguments (naming the op and the
/// shapes on error), computes its result with backend primitives, and records a backward rule written with the
/// same ops. A first-order backward runs the rules with grad mode off, so a rule is ordinary code; <see cref="Grad"/>
/// with createGraph runs them with it on, and then they record too: every rule is differentiable in turn.
/// </summary>
public static partial class F
{
    /// <summary>An unwritten tensor of t's shape, dtype, backend and memory format (torch.empty_like).</summary>
    private static Tensor EmptyLike(Tensor t) => Tensor.Empty(t.Shape, t.DType, t.Backend, t.MemoryFormat);
    private static Tensor Empty(Shape shape, Tensor like) => Tensor.Empty(shape, like.DType, like.Backend);

    /// <summary>Puts <paramref name="output"/> on the tape with its <paramref name="backward"/> rule. With
    /// <paramref name="readsOutput"/> the rule reads the output, so backward checks that no in-place op overwrote
    /// it.</summary>
    private static Tensor Record(Tensor output, string op, Tensor[] inputs, Func<Tensor, Tensor?[]> backward, bool readsOutput = false)
    {
        RequireKnownFormat(op, inputs);
        if (!GradMode.Enabled) return output;
        foreach (Tensor t in inputs)
            if (t.RequiresGrad)
                return output.RecordedBy(new Node(op, inputs, backward) { OutputVersion = readsOutput ? output.Storage.Version : null });
        return output;
    }

    private static void RequireFloat(string op, Tensor t, string name = "input")
    {
        if (!t.DType.IsFloatingPoint())
            throw new ArgumentException($"{op}: {name} must be float32 or float64, got {t.DType.Name()} with shape {t.Shape}.");
    }

    private static void RequireCompatible(string op, Tensor a, Tensor b)
    {
        if (!ReferenceEquals(a.Backend, b.Backend))
            throw new ArgumentException(a.Backend.Name == b.Backend.Name
                ? $"{op}: operands are on {a.Backend.Name} under different precision policies ({a.Backend.Precision} and {b.Backend.Precision}); make both tensors with one backend."
                : $"{op}: operands are on different devices ({a.Backend.Name} and {b.Backend.Name}); move them with .To(device).");
        if (a.DType != b.DType)
            throw new ArgumentException($"{op}: operands have different dtypes ({a.DType.Name()} {a.Shape} and {b.DType.Name()} {b.Shape}).");
    }

    private static void RequireRank(string op, Tensor t, int rank, string name, string layout)
    {
        if (t.Rank != rank)
            throw new ArgumentException($"{op}: {name} must have rank {rank} ({layout}), got shape {t.Shape}.");
    }

    private static void RequireShape(string op, Tensor t, Shape expected, string name)
    {
        if (t.Shape != expected)
            throw new ArgumentException($"{op}: {name} must have shape {expected}, got {t.Shape}.");
    }
}
