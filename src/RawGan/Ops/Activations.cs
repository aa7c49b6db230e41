using RawGan.Backends;
using RawGan.Tensors;

namespace RawGan.Ops;

public static partial class F
{
    public static Tensor Relu(Tensor x) => Unary("relu", UnaryOp.Relu, 0, x);

    /// <summary>ReLU written over <paramref name="x"/> (torch.relu_): saves an activation's memory.</summary>
    public static Tensor Relu_(Tensor x) => UnaryInPlace("relu_", UnaryOp.Relu, 0, x);

    /// <summary>x for x &gt; 0, else negativeSlope·x. PyTorch's default slope is 0.01; GANs use 0.2.</summary>
    public static Tensor LeakyRelu(Tensor x, double negativeSlope = 0.01) => Unary("leaky_relu", UnaryOp.LeakyRelu, negativeSlope, x);

    /// <summary>LeakyReLU written over <paramref name="x"/> (F.leaky_relu_); the slope must not be negative.</summary>
    public static Tensor LeakyRelu_(Tensor x, double negativeSlope = 0.01) =>
        negativeSlope >= 0
            ? UnaryInPlace("leaky_relu_", UnaryOp.LeakyRelu, negativeSlope, x)
            : throw new ArgumentOutOfRangeException(nameof(negativeSlope), $"leaky_relu_: in place needs a slope ≥ 0 (the sign of the result must give the derivative), not {negativeSlope}.");

    public static Tensor Tanh(Tensor x) => Unary("tanh", UnaryOp.Tanh, 0, x);
    public static Tensor Sigmoid(Tensor x) => Unary("sigmoid", UnaryOp.Sigmoid, 0, x);
}
