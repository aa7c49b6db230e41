using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Nn;

/// <summary>torch.nn.Flatten: merges the axes from <paramref name="startDim"/> on (by default all but the batch).</summary>
public sealed class Flatten(int startDim = 1) : Module
{
    public override Tensor Forward(Tensor input) => F.Flatten(input, startDim);
}

/// <summary>Reshapes each sample to <paramref name="shape"/> (the batch axis is kept): torch.nn.Unflatten(1, shape).</summary>
public sealed class Unflatten(params int[] shape) : Module
{
    /// <summary>Each sample's shape after the reshape.</summary>
    public IReadOnlyList<int> Shape { get; } = shape;

    public override Tensor Forward(Tensor input) => F.Reshape(input, [input.Shape[0], .. shape]);
}
