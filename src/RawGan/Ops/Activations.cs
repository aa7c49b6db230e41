using RawGan.Backends;
using RawGan.Tensors;

namespace RawGan.Ops;

public static partial class F
{
    public static Tensor Relu(Tensor x) => Unary("relu", UnaryOp.Relu, 0, x);

    /// <summary>x for x &gt; 0, else negativeSlope·x. PyTorch's default slope is 0.01; GANs use 0.2.</summary>
    public static Tensor LeakyRelu(Tensor x, double negativeSlope = 0.01) => Unary("leaky_relu", UnaryOp.LeakyRelu, negativeSlope, x);

    public static Tensor Tanh(Tensor x) => Unary("tanh", UnaryOp.Tanh, 0, x);
    public static Tensor Sigmoid(Tensor x) => Unary("sigmoid", UnaryOp.Sigmoid, 0, x);
}
