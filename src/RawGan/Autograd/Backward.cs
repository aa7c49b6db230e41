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
        if (gradient is null)
        {
            if (root.Numel != 1)
                throw new InvalidOperationException($"Backward() without a gradient needs a scalar, but the tensor has shape {root.Shape}; pass a gradient of that shape.");
            gradient = Tensor.Full(root.Shape, 1, root.DType, root.Backend);
        }
        else if (gradient.Shape != root.Shape || gradient.DType != root.DType || !ReferenceEquals(gradient.Backend, root.Backend))
            throw new ArgumentException($"Backward() got a gradient {gradient.DType.Name()} {gradient.Shape} on {gradient.Backend.Name} " +
                                        $"for a tensor {root.DType.Name()} {root.Shape} on {root.Backend.Name}; they must match.");

        var grads = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance) { [root] = gradient };
        foreach (Tensor t in TopologicalOrder(root))
        {
            if (!grads.Remove(t, out Tensor? g)) continue;
            if (t.IsLeaf)
            {
                t.Grad = t.Grad is null ? g : Ops.F.AddNoGrad(t.Grad, g);
                continue;
            }

            Node node = t.GradFn!;
            Tensor?[] inputGrads;
            using (GradMode.NoGrad()) inputGrads = node.BackwardRule(g);
            for (int i = 0; i < node.Inputs.Length; i++)
            {
                Tensor input = node.Inputs[i];
                Tensor? gi = inputGrads[i];
                if (!input.RequiresGrad || gi is null) continue;
                if (gi.Shape != input.Shape)
                    throw new InvalidOperationException($"Backward of '{node.Op}' produced a gradient of shape {gi.Shape} for input {i} of shape {input.Shape}.");
                grads[input] = grads.TryGetValue(input, out Tensor? acc) ? Ops.F.AddNoGrad(acc, gi) : gi;
            }
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
