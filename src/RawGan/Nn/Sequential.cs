using RawGan.Tensors;

namespace RawGan.Nn;

/// <summary>Modules applied in order, named "0", "1", ... as in torch.nn.Sequential.</summary>
public sealed class Sequential : Module
{
    private readonly Module[] _layers;

    public Sequential(params Module[] layers)
    {
        _layers = layers;
        for (int i = 0; i < layers.Length; i++) RegisterModule(i.ToString(), layers[i]);
    }

    public IReadOnlyList<Module> Layers => _layers;
    public Module this[int index] => _layers[index];

    public override Tensor Forward(Tensor input)
    {
        Tensor x = input;
        foreach (Module layer in _layers) x = layer.Forward(x);
        return x;
    }
}
