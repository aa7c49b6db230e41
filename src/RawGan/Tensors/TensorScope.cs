using RawGan.Backends;

namespace RawGan.Tensors;

/// <summary>
/// Owns the tensors created while it is open and returns their memory to the device's pool when it closes, so a
/// training step's intermediates never wait for the garbage collector (TorchSharp users must dispose each by hand).
/// Tensors that must outlive the scope (parameters, optimiser state, running statistics) are created outside one,
/// or handed out with <see cref="Keep"/>. Gradients that Backward() computes inside a scope belong to it too: step
/// the optimiser and drop the gradients before the scope closes, as <see cref="Gan.GanTrainer"/> does. A released
/// tensor throws if it is touched again. Scopes are per thread, like <see cref="Autograd.GradMode"/>.
/// </summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? _current;

    private readonly TensorScope? _parent;
    private readonly HashSet<Storage> _owned = new(ReferenceEqualityComparer.Instance);

    public TensorScope()
    {
        _parent = _current;
        _current = this;
    }

    internal static Storage Track(Storage storage)
    {
        _current?._owned.Add(storage);
        return storage;
    }

    /// <summary>Lets <paramref name="tensor"/> survive this scope: it moves to the enclosing scope, if any. Memory the
    /// scope does not own (a parameter, or a view of one) is left alone.</summary>
    public Tensor Keep(Tensor tensor)
    {
        if (_owned.Remove(tensor.Storage)) _parent?._owned.Add(tensor.Storage);
        return tensor;
    }

    public void Dispose()
    {
        if (_current != this) throw new InvalidOperationException("TensorScopes must be closed in the reverse order of opening.");
        _current = _parent;
        foreach (Storage s in _owned) s.Release();
        _owned.Clear();
    }
}
