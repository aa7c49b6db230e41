using RawGan.Backends;
using RawGan.Tensors;

namespace RawGan.Nn;

/// <summary>
/// A layer or a model: parameters, buffers and child modules, registered by name so that
/// <see cref="StateDict"/> produces PyTorch's hierarchical names ("main.0.weight", "main.1.running_mean") in
/// PyTorch's order (a module's parameters, then its buffers, then each child's entries).
/// </summary>
public abstract class Module
{
    private readonly List<(string Name, Tensor Value)> _parameters = [];
    private readonly List<(string Name, Tensor Value)> _buffers = [];
    private readonly List<(string Name, Module Value)> _children = [];
    private readonly Dictionary<string, int> _tensorIndex = []; // name -> index into _parameters (≥ 0) or ~index into _buffers
    private readonly HashSet<string> _nonPersistent = [];
    private readonly Dictionary<string, Func<Tensor>> _computed = [];

    /// <summary>Training mode (the default): BatchNorm uses batch statistics and Dropout drops.</summary>
    public bool Training { get; private set; } = true;

    public abstract Tensor Forward(Tensor input);

    /// <summary>Sets training mode on this module and every descendant, as torch's module.train(mode).</summary>
    public Module Train(bool mode = true)
    {
        Training = mode;
        foreach ((_, Module child) in _children) child.Train(mode);
        return this;
    }

    /// <summary>Evaluation mode: BatchNorm uses running statistics, Dropout is the identity.</summary>
    public Module Eval() => Train(false);

    protected Tensor RegisterParameter(string name, Tensor value)
    {
        CheckNewName(name);
        value.RequiresGrad = true;
        _tensorIndex[name] = _parameters.Count;
        _parameters.Add((name, value));
        return value;
    }

    /// <summary>A tensor the module owns but does not train: it moves with <see cref="To(IBackend)"/>. A
    /// non-<paramref name="persistent"/> buffer (a constant the module derives itself) is left out of
    /// <see cref="StateDict"/>, as PyTorch's register_buffer(persistent=False).</summary>
    protected Tensor RegisterBuffer(string name, Tensor value, bool persistent = true)
    {
        CheckNewName(name);
        _tensorIndex[name] = ~_buffers.Count;
        _buffers.Add((name, value));
        if (!persistent) _nonPersistent.Add(name);
        return value;
    }

    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckNewName(name);
        _children.Add((name, module));
        return module;
    }

    /// <summary>A registered parameter or buffer of this module (not of its children), or the tensor a
    /// reparametrisation computes in its place (<see cref="Reparametrise"/>).</summary>
    protected internal Tensor Get(string name) =>
        _computed.TryGetValue(name, out Func<Tensor>? compute) ? compute()
        : _tensorIndex.TryGetValue(name, out int i) ? i >= 0 ? _parameters[i].Value : _buffers[~i].Value
        : throw new KeyNotFoundException($"{GetType().Name} has no parameter or buffer '{name}'.");

    /// <summary>Renames parameter <paramref name="name"/> to <paramref name="newName"/> and from then on computes
    /// <c>Get(name)</c> with <paramref name="compute"/>, as PyTorch's weight hooks (spectral_norm) do; buffers the
    /// computation keeps are registered with <see cref="AddBuffer"/>.</summary>
    internal void Reparametrise(string name, string newName, Func<Tensor> compute)
    {
        if (!_tensorIndex.TryGetValue(name, out int i) || i < 0 || _computed.ContainsKey(name))
            throw new ArgumentException($"{GetType().Name} has no parameter '{name}' to reparametrise.");
        CheckNewName(newName);
        _tensorIndex.Remove(name);
        _tensorIndex[newName] = i;
        _parameters[i] = (newName, _parameters[i].Value);
        _computed[name] = compute;
    }

    internal Tensor AddBuffer(string name, Tensor value) => RegisterBuffer(name, value);

    public IEnumerable<(string Name, Module Module)> NamedChildren() => _children;

    /// <summary>This module and all its descendants, depth first in registration order (torch's modules()).</summary>
    public IEnumerable<Module> Modules()
    {
        yield return this;
        foreach ((_, Module child) in _children)
        foreach (Module m in child.Modules()) yield return m;
    }

    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters(string prefix = "")
    {
        foreach ((string name, Tensor p) in _parameters) yield return (prefix + name, p);
        foreach ((string name, Module child) in _children)
        foreach (var entry in child.NamedParameters(prefix + name + ".")) yield return entry;
    }

    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Parameter);

    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers(string prefix = "")
    {
        foreach ((string name, Tensor b) in _buffers) yield return (prefix + name, b);
        foreach ((string name, Module child) in _children)
        foreach (var entry in child.NamedBuffers(prefix + name + ".")) yield return entry;
    }

    /// <summary>Every parameter and persistent buffer by its PyTorch state_dict name, in PyTorch's order.</summary>
    public IReadOnlyList<(string Name, Tensor Value)> StateDict(string prefix = "")
    {
        var entries = new List<(string, Tensor)>();
        foreach ((string name, Tensor p) in _parameters) entries.Add((prefix + name, p));
        foreach ((string name, Tensor b) in _buffers)
            if (!_nonPersistent.Contains(name)) entries.Add((prefix + name, b));
        foreach ((string name, Module child) in _children) entries.AddRange(child.StateDict(prefix + name + "."));
        return entries;
    }

    /// <summary>Copies values into the existing tensors (so optimisers holding them stay valid). With
    /// <paramref name="strict"/>, missing or unexpected names are an error, as in PyTorch.</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        var own = StateDict();
        var missing = own.Where(e => !state.ContainsKey(e.Name)).Select(e => e.Name).ToList();
        var unexpected = state.Keys.Except(own.Select(e => e.Name)).ToList();
        if (strict && (missing.Count > 0 || unexpected.Count > 0))
            throw new ArgumentException($"Error loading state dict into {GetType().Name}: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}].");
        // Every shape is checked before anything is written, so a failed load leaves the module as it was.
        foreach ((string name, Tensor target) in own)
            if (state.TryGetValue(name, out Tensor? source) && source.Shape != target.Shape)
                throw new ArgumentException($"Error loading state dict: '{name}' has shape {source.Shape} in the checkpoint but {target.Shape} in the model.");
        foreach ((string name, Tensor target) in own)
        {
            if (!state.TryGetValue(name, out Tensor? source)) continue;
            Tensor converted = source.ToDType(target.DType).To(target.Backend);
            target.Backend.Copy(converted, target);
        }
        foreach (Module m in Modules()) m.OnStateLoaded();
    }

    /// <summary>Called after <see cref="LoadStateDict"/> wrote new values, for modules that cache host copies.</summary>
    protected virtual void OnStateLoaded() { }

    /// <summary>Moves every parameter and buffer to <paramref name="device"/>. Create optimisers after this.</summary>
    public Module To(Device device) => To(BackendRegistry.Get(device));

    /// <summary>Moves every parameter and buffer to <paramref name="backend"/>. Create optimisers after this.</summary>
    public Module To(IBackend backend)
    {
        for (int i = 0; i < _parameters.Count; i++)
        {
            Tensor moved = _parameters[i].Value.To(backend);
            moved.RequiresGrad = true;
            _parameters[i] = (_parameters[i].Name, moved);
        }
        for (int i = 0; i < _buffers.Count; i++) _buffers[i] = (_buffers[i].Name, _buffers[i].Value.To(backend));
        foreach ((_, Module child) in _children) child.To(backend);
        return this;
    }

    /// <summary>
    /// Makes this module's convolutions take and give activations in <paramref name="format"/> (PyTorch's
    /// module.to(memory_format=...)): each converts its input, so a network's first layer converts at its edge (free
    /// for a latent code [N, nz, 1, 1]) and the layers after find theirs laid out already. The weights keep PyTorch's
    /// [out, in, kH, kW], so state dicts, checkpoints and optimiser state do not change; a backend that wants them
    /// otherwise arranges them per call.
    /// </summary>
    public Module ToMemoryFormat(MemoryFormat format)
    {
        foreach (ConvLayer conv in Modules().OfType<ConvLayer>()) conv.InputFormat = format;
        return this;
    }

    public long ParameterCount() => Parameters().Sum(p => p.Numel);

    private void CheckNewName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"'{name}' is not a valid member name: it must be non-empty and contain no '.'.");
        if (_tensorIndex.ContainsKey(name) || _children.Any(c => c.Name == name))
            throw new ArgumentException($"{GetType().Name} already has a member named '{name}'.");
    }
}
