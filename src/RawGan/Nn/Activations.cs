using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Nn;

// The activation layers: parameter-free modules over the elementwise ops, named as in torch.nn.

public sealed class ReLU : Module
{
    public override Tensor Forward(Tensor input) => F.Relu(input);
}

public sealed class LeakyReLU(double negativeSlope = 0.01) : Module
{
    public double NegativeSlope { get; } = negativeSlope;
    public override Tensor Forward(Tensor input) => F.LeakyRelu(input, NegativeSlope);
}

public sealed class Tanh : Module
{
    public override Tensor Forward(Tensor input) => F.Tanh(input);
}

public sealed class Sigmoid : Module
{
    public override Tensor Forward(Tensor input) => F.Sigmoid(input);
}
