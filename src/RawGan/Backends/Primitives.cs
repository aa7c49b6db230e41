namespace RawGan.Backends;

/// <summary>Elementwise maps y = f(x). Alpha is the op's parameter where it has one (LeakyReLU's slope,
/// Pow's exponent, Scale's factor, AddScalar's constant).</summary>
public enum UnaryOp
{
    Neg, Exp, Log, Sqrt, Abs, Relu, LeakyRelu, Tanh, Sigmoid, Scale, AddScalar, Pow,
}

/// <summary>Elementwise binary maps c = f(a, b), with NumPy broadcasting of a and b to c's shape.</summary>
public enum BinaryOp { Add, Sub, Mul, Div }

/// <summary>Per-element losses l = f(input, target); the mean or sum is a separate reduction.</summary>
public enum LossKind
{
    /// <summary>-(t·log x + (1-t)·log(1-x)), each log clamped at -100 as PyTorch's BCELoss does.</summary>
    BinaryCrossEntropy,
    /// <summary>max(x,0) - x·t + log(1 + exp(-|x|)): BCE on sigmoid(x) without its overflow.</summary>
    BinaryCrossEntropyWithLogits,
    /// <summary>(x - t)².</summary>
    SquaredError,
}

/// <summary>Adam's hyper-parameters for one update, PyTorch's semantics (L2 weight decay added to the gradient).</summary>
public readonly record struct AdamHyper(double Lr, double Beta1, double Beta2, double Eps, double WeightDecay, long Step);
