using RawGan.Backends;
using RawGan.Tensors;

namespace RawGan.Optim;

/// <summary>
/// Adam (Kingma and Ba) exactly as torch.optim.Adam computes it: bias-corrected moments, eps added after the
/// square root, weight decay as L2 added to the gradient. Each step is one fused backend update per parameter.
/// </summary>
public sealed class Adam
{
    private readonly Tensor[] _params;
    private readonly Tensor[] _m, _v;
    private readonly long[] _steps;

    /// <param name="parameters">The tensors to update; their gradients are read from Grad.</param>
    /// <param name="lr">Learning rate (PyTorch's default 1e-3; DCGAN uses 2e-4).</param>
    /// <param name="beta1">First-moment decay (default 0.9; DCGAN uses 0.5).</param>
    /// <param name="beta2">Second-moment decay (default 0.999).</param>
    /// <param name="eps">Added to the denominator (default 1e-8).</param>
    /// <param name="weightDecay">L2 penalty (default 0).</param>
    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0)
    {
        if (lr < 0) throw new ArgumentOutOfRangeException(nameof(lr), $"Adam: invalid learning rate {lr}.");
        if (beta1 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta1), $"Adam: invalid beta1 {beta1}; it must be in [0, 1).");
        if (beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta2), $"Adam: invalid beta2 {beta2}; it must be in [0, 1).");
        if (eps < 0) throw new ArgumentOutOfRangeException(nameof(eps), $"Adam: invalid eps {eps}.");
        if (weightDecay < 0) throw new ArgumentOutOfRangeException(nameof(weightDecay), $"Adam: invalid weight decay {weightDecay}.");
        _params = parameters.ToArray();
        foreach (Tensor p in _params)
            if (!p.IsLeaf || !p.RequiresGrad) throw new ArgumentException($"Adam: parameter of shape {p.Shape} must be a leaf that requires grad.");
        // Moments are created here, not on the first step, so they never belong to a step's TensorScope.
        _m = _params.Select(p => Tensor.Zeros(p.Shape, p.DType, p.Backend)).ToArray();
        _v = _params.Select(p => Tensor.Zeros(p.Shape, p.DType, p.Backend)).ToArray();
        _steps = new long[_params.Length];
        Lr = lr;
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        WeightDecay = weightDecay;
    }

    public double Lr { get; set; }
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }
    public double WeightDecay { get; }
    public IReadOnlyList<Tensor> Parameters => _params;

    /// <summary>Updates every parameter that has a gradient; those without one are skipped, as in PyTorch.</summary>
    public void Step()
    {
        for (int i = 0; i < _params.Length; i++)
        {
            Tensor p = _params[i];
            if (p.Grad is null) continue;
            _steps[i]++;
            p.Backend.AdamStep(p, p.Grad, _m[i], _v[i], new AdamHyper(Lr, Beta1, Beta2, Eps, WeightDecay, _steps[i]));
        }
    }

    /// <summary>Each parameter's update count (the step of its last bias correction).</summary>
    internal long[] StepCounts => (long[])_steps.Clone();

    /// <summary>Adds <paramref name="counts"/> to the update counts: for updates a replayed CUDA graph made on the device.</summary>
    internal void AddStepCounts(long[] counts)
    {
        for (int i = 0; i < _steps.Length; i++) _steps[i] += counts[i];
    }

    /// <summary>Drops the gradients (PyTorch's zero_grad(set_to_none=True)), so the next backward writes fresh ones.</summary>
    public void ZeroGrad()
    {
        foreach (Tensor p in _params) p.Grad = null;
    }

    /// <summary>The optimiser's state in torch.optim's naming: state.{i}.exp_avg, state.{i}.exp_avg_sq, state.{i}.step.</summary>
    public IReadOnlyList<(string Name, Tensor Value)> StateDict()
    {
        var entries = new List<(string, Tensor)>();
        for (int i = 0; i < _params.Length; i++)
        {
            entries.Add(($"state.{i}.exp_avg", _m[i]));
            entries.Add(($"state.{i}.exp_avg_sq", _v[i]));
            entries.Add(($"state.{i}.step", Tensor.FromArray(new[] { (double)_steps[i] }, Shape.Scalar).ToDType(DType.Float32)));
        }
        return entries;
    }

    /// <summary>Restores <see cref="StateDict"/>'s entries; all are checked before any is written.</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        var m = new Tensor[_params.Length];
        var v = new Tensor[_params.Length];
        var steps = new long[_params.Length];
        for (int i = 0; i < _params.Length; i++)
        {
            m[i] = Lookup(state, $"state.{i}.exp_avg", _m[i]);
            v[i] = Lookup(state, $"state.{i}.exp_avg_sq", _v[i]);
            steps[i] = (long)Lookup(state, $"state.{i}.step", null).Item();
        }
        for (int i = 0; i < _params.Length; i++)
        {
            _m[i].Backend.Copy(m[i], _m[i]);
            _v[i].Backend.Copy(v[i], _v[i]);
        }
        steps.CopyTo(_steps, 0);
    }

    private static Tensor Lookup(IReadOnlyDictionary<string, Tensor> state, string name, Tensor? like)
    {
        if (!state.TryGetValue(name, out Tensor? t)) throw new ArgumentException($"Adam state is missing '{name}'.");
        if (like is null) return t;
        if (t.Shape != like.Shape) throw new ArgumentException($"Adam state '{name}' has shape {t.Shape}, the parameter {like.Shape}.");
        return t.ToDType(like.DType).To(like.Backend);
    }
}
