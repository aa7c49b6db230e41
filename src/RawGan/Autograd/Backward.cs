using RawGan.Tensors;

namespace RawGan.Autograd;

/// <summary>Reverse-mode differentiation: sort the graph below the root, walk it from the root down, and hand each
/// node the summed gradient of its output. Leaves accumulate into <see cref="Tensor.Grad"/>.</summary>
internal static class Backward
{
    public static void Run(Tensor root, Tensor? gradient)
    {
        if (!root.RequiresGrad)
            throw new InvalidOperationException($"Backward() on a tensor of shape {root.Shape} that does not require grad: no input of the graph has RequiresGrad set, or it was built under NoGrad.");
        Tensor? seed = null;
        if (gradient is null)
        {
            if (root.Numel != 1)
                throw new InvalidOperationException($"Backward() without a gradient needs a scalar, but the tensor has shape {root.Shape}; pass a gradient of that shape.");
            gradient = seed = Tensor.Full(root.Shape, 1, root.DType, root.Backend);
        }
        else if (gradient.Shape != root.Shape || gradient.DType != root.DType || !ReferenceEquals(gradient.Backend, root.Backend))
            throw new ArgumentException($"Backward() got a gradient {gradient.DType.Name()} {gradient.Shape} on {gradient.Backend.Name} " +
                                        $"for a tensor {root.DType.Name()} {root.Shape} on {root.Backend.Name}; they must match.");

        var grads = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance) { [root] = gradient };
        var memory = new GradientMemory();
        memory.Hold(gradient);
        if (!ReferenceEquals(gradient, seed)) memory.Keep(gradient); // the caller's tensor
        foreach (Tensor t in TopologicalOrder(root))
        {
            if (!grads.Remove(t, out Tensor? g)) continue;
            if (t.IsLeaf)
            {
                if (t.Grad is null) memory.Keep(t.Grad = g);
                else t.Grad = Sum(t.Grad, g);
                memory.Drop(g);
                continue;
            }

            Node node = t.GradFn!;
            node.CheckVersions(t);
            Tensor?[] inputGrads;
            using (GradMode.NoGrad()) inputGrads = node.BackwardRule(g);
            for (int i = 0; i < node.Inputs.Length; i++)
            {
                Tensor input = node.Inputs[i];
                Tensor? gi = inputGrads[i];
                if (!input.RequiresGrad || gi is null) continue;
                if (gi.Shape != input.Shape)
                    throw new InvalidOperationException($"Backward of '{node.Op}' produced a gradient of shape {gi.Shape} for input {i} of shape {input.Shape}.");
                memory.Hold(gi);
                if (grads.TryGetValue(input, out Tensor? acc))
                {
                    Tensor sum = Sum(acc, gi);
                    memory.Hold(sum);
                    memory.Drop(acc);
                    memory.Drop(gi);
                    gi = sum;
                }
                grads[input] = gi;
            }
            memory.Drop(g);
        }
    }

    /// <summary>a + b (same shape, dtype and backend), straight on the backend: the tape sits below the ops, so it
    /// accumulates with the primitive itself, and nothing is recorded.</summary>
    private static Tensor Sum(Tensor a, Tensor b)
    {
        Tensor c = Tensor.Empty(a.Shape, a.DType, a.Backend);
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
