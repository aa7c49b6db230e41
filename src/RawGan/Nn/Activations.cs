using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Nn;

// The activation layers: parameter-free modules over the elementwise ops, named as in torch.nn.

/// <param name="inplace">Write over the input, as PyTorch's inplace=True: one activation less in memory.</param>
public sealed class ReLU(bool inplace = false) : Module
{
    public bool Inplace { get; } = inplace;
    public override Tensor Forward(Tensor input) => Inplace ? F.Relu_(input) : F.Relu(input);
}

/// <param name="negativeSlope">The slope for x &lt; 0.</param>
/// <param name="inplace">Write over the input, as PyTorch's inplace=True: one activation less in memory.</param>
public sealed class LeakyReLU(double negativeSlope = 0.01, bool inplace = false) : Module
{
    public double NegativeSlope { get; } = negativeSlope;
    public bool Inplace { get; } = inplace;
    public override Tensor Forward(Tensor input) => Inplace ? F.LeakyRelu_(input, NegativeSlope) : F.LeakyRelu(input, NegativeSlope);
}

public sealed class Tanh : Module
{
    public override Tensor Forward(Tensor input) => F.Tanh(input);
}

public sealed class Sigmoid : Module
{
    public override Tensor Forward(Tensor input) => F.Sigmoid(input);
}
