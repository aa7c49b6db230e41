using RawGan.Tensors;

namespace RawGan.Autograd;

/// <summary>Reverse-mode differentiation: sort the graph below the root, walk it from the root down, and hand each
/// node the summed gradient of its output. <see cref="Run"/> accumulates into the leaves' <see cref="Tensor.Grad"/>;
/// <see cref="Grad"/> returns the gradients of chosen tensors instead, and with createGraph records the walk itself
/// on the tape, so a gradient can be differentiated again (R1, WGAN-GP).</summary>
internal static class Backward
{
    public static void Run(Tensor root, Tensor? gradient)
    {
        Tensor seed = Seed(root, gradient, "Backward()");
        Walk(root, seed, keepSeed: ReferenceEquals(seed, gradient), targets: null, accumulate: null);
    }

    /// <summary>
    /// The gradients of <paramref name="output"/> with respect to <paramref name="inputs"/> (null for an input the
    /// output does not depend on), as torch.autograd.grad; no <see cref="Tensor.Grad"/> is touched. Only the part of
    /// the graph between the output and the inputs is walked. With <paramref name="accumulate"/> given (a
    /// differentiable a + b from the ops above), the rules run with grad mode on, so they record what they compute
    /// (PyTorch's create_graph=True): the rules are written with differentiable ops for exactly this reason.
    /// </summary>
    public static Tensor?[] Grad(Tensor output, Tensor? gradOutput, Tensor[] inputs, Func<Tensor, Tensor, Tensor>? accumulate)
    {
        foreach (Tensor t in inputs)
            if (!t.RequiresGrad)
                throw new ArgumentException($"grad: input of shape {t.Shape} does not require grad; set RequiresGrad on it before computing the output.");
        Tensor seed = Seed(output, gradOutput, "grad()");
        var targets = new Dictionary<Tensor, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < inputs.Length; i++) targets.TryAdd(inputs[i], i);
        Tensor?[] found = Walk(output, seed, keepSeed: true, targets, accumulate);
        return Array.ConvertAll(inputs, t => found[targets[t]]);
    }

    private static Tensor Seed(Tensor root, Tensor? gradient, string what)
    {
        if (!root.RequiresGrad)
            throw new InvalidOperationException($"{what} on a tensor of shape {root.Shape} that does not require grad: no input of the graph has RequiresGrad set, or it was built under NoGrad.");
        if (gradient is null)
        {
            if (root.Numel != 1)
                throw new InvalidOperationException($"{what} without a gradient needs a scalar, but the tensor has shape {root.Shape}; pass a gradient of that shape.");
            Tensor one = Tensor.Full(root.Shape, 1, root.DType, root.Backend);
            return new Tensor(one.Storage, root.Shape, root.MemoryFormat); // one element: the same in every format
        }
        if (gradient.Shape != root.Shape || gradient.DType != root.DType || gradient.MemoryFormat != root.MemoryFormat || !ReferenceEquals(gradient.Backend, root.Backend))
            throw new ArgumentException($"{what} got a gradient {gradient.DType.Name()} {gradient.Shape} ({gradient.MemoryFormat}) on {gradient.Backend.Name} " +
                                        $"for a tensor {root.DType.Name()} {root.Shape} ({root.MemoryFormat}) on {root.Backend.Name}; they must match.");
        return gradient;
    }

    /// <summary>The walk. Without targets, leaves accumulate into their Grad; with them, the gradient of each target
    /// is returned (at its index) and tensors that lead to no target are skipped. A non-null
    /// <paramref name="accumulate"/> means create-graph: rules record, and no gradient's memory is released early,
    /// since the tape now refers to it.</summary>
    private static Tensor?[] Walk(Tensor root, Tensor gradient, bool keepSeed, Dictionary<Tensor, int>? targets,
                                  Func<Tensor, Tensor, Tensor>? accumulate)
    {
        List<Tensor> order = TopologicalOrder(root);
        HashSet<Tensor>? needed = targets is null ? null : LeadingTo(order, targets);
        var found = new Tensor?[targets?.Count ?? 0];
        var grads = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance) { [root] = gradient };
        GradientMemory? memory = accumulate is null ? new GradientMemory() : null;
        Func<Tensor, Tensor, Tensor> add = accumulate ?? Sum;
        memory?.Hold(gradient);
        if (keepSeed) memory?.Keep(gradient);
        foreach (Tensor t in order)
        {
            if (!grads.Remove(t, out Tensor? g)) continue;
            if (targets is not null && targets.TryGetValue(t, out int slot))
            {
                found[slot] = g;
                memory?.Keep(g);
            }
            if (t.IsLeaf)
            {
                if (targets is null)
                {
                    if (t.Grad is null) memory?.Keep(t.Grad = g);
                    else t.Grad = add(t.Grad, g);
                }
                memory?.Drop(g);
                continue;
            }

            Node node = t.GradFn!;
            node.CheckVersions(t);
            Tensor?[] inputGrads;
            using (accumulate is null ? GradMode.NoGrad() : null) inputGrads = node.BackwardRule(g);
            for (int i = 0; i < node.Inputs.Length; i++)
            {
                Tensor input = node.Inputs[i];
                Tensor? gi = inputGrads[i];
                if (!input.RequiresGrad || gi is null || needed?.Contains(input) == false) continue;
                if (gi.Shape != input.Shape)
                    throw new InvalidOperationException($"Backward of '{node.Op}' produced a gradient of shape {gi.Shape} for input {i} of shape {input.Shape}.");
                // Every rule keeps an input's gradient in that input's memory format, so a rule's upstream gradient is
                // laid out as its output is, and gradients that meet are summed element for element.
                if (gi.MemoryFormat != input.MemoryFormat)
                    throw new InvalidOperationException($"Backward of '{node.Op}' produced a {gi.MemoryFormat} gradient for input {i} ({input.Shape}), which is {input.MemoryFormat}.");
                memory?.Hold(gi);
                if (grads.TryGetValue(input, out Tensor? acc))
                {
                    Tensor sum = add(acc, gi);
                    memory?.Hold(sum);
                    memory?.Drop(acc);
                    memory?.Drop(gi);
                    gi = sum;
                }
                grads[input] = gi;
            }
            memory?.Drop(g);
        }
        return found;
    }

    /// <summary>The tensors of <paramref name="order"/> (root first) from which some target can be reached.</summary>
    private static HashSet<Tensor> LeadingTo(List<Tensor> order, Dictionary<Tensor, int> targets)
    {
        var leading = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        for (int i = order.Count - 1; i >= 0; i--)
        {
            Tensor t = order[i];
            if (targets.ContainsKey(t) || (t.GradFn is not null && t.GradFn.Inputs.Any(leading.Contains))) leading.Add(t);
        }
        return leading;
    }

    /// <summary>a + b (same shape, dtype, backend and memory format: both are gradients of one tensor), straight on
    /// the backend: the tape sits below the ops, so it accumulates with the primitive itself, and nothing is recorded.</summary>
    private static Tensor Sum(Tensor a, Tensor b)
    {
        Tensor c = Tensor.Empty(a.Shape, a.DType, a.Backend, a.MemoryFormat);
        a.Backend.Binary(Backends.BinaryOp.Add, a, b, c);
        return c;
    }

    /// <summary>
    /// Returns each intermediate gradient's memory to the pool as soon as the walk has consumed it, instead of when
    /// the step's <see cref="TensorScope"/> closes: the peak then holds the activations and a few gradients, not
    /// every gradient of the graph (PyTorch frees them as it goes too). A gradient may share its storage with others
    /// (a rule may pass its input gradient on, or reshape it), so storages are counted, not tensors; those that
    /// become a leaf's <see cref="Tensor.Grad"/>, or were passed in by the caller, are kept.
    /// </summary>
    private sealed class GradientMemory
    {
        private readonly Dictionary<Backends.Storage, int> _pending = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<Backends.Storage> _kept = new(ReferenceEqualityComparer.Instance);

        public void Hold(Tensor g) => _pending[g.Storage] = _pending.GetValueOrDefault(g.Storage) + 1;

        public void Keep(Tensor g) => _kept.Add(g.Storage);

        public void Drop(Tensor g)
        {
            int left = _pending[g.Storage] - 1;
            if (left > 0)
            {
                _pending[g.Storage] = left;
                return;
            }
            _pending.Remove(g.Storage);
            if (!_kept.Contains(g.Storage)) g.Storage.Release();
        }
    }

    /// <summary>Tensors that require grad, each after every tensor computed from it (root first).</summary>
    private static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = new List<Tensor>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor T, bool Expanded)>();
        stack.Push((root, false));
        while (stack.Count > 0)
        {
            (Tensor t, bool expanded) = stack.Pop();
            if (expanded) { order.Add(t); continue; }
            if (!visited.Add(t)) continue;
            stack.Push((t, true));
            if (t.GradFn is null) continue;
            foreach (Tensor input in t.GradFn.Inputs)
                if (input.RequiresGrad && !visited.Contains(input)) stack.Push((input, false));
        }
        order.Reverse();
        return order;
    }
}
