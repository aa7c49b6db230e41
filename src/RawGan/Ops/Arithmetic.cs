using RawGan.Autograd;
using RawGan.Backends;
using RawGan.Tensors;

namespace RawGan.Ops;

public static partial class F
{
    /// <summary>a + b with broadcasting.</summary>
    public static Tensor Add(Tensor a, Tensor b) => Binary("add", BinaryOp.Add, a, b,
        (g, x, y) => [x.RequiresGrad ? SumTo(g, x.Shape) : null, y.RequiresGrad ? SumTo(g, y.Shape) : null]);

    public static Tensor Sub(Tensor a, Tensor b) => Binary("sub", BinaryOp.Sub, a, b,
        (g, x, y) => [x.RequiresGrad ? SumTo(g, x.Shape) : null, y.RequiresGrad ? SumTo(Neg(g), y.Shape) : null]);

    public static Tensor Mul(Tensor a, Tensor b) => Binary("mul", BinaryOp.Mul, a, b,
        (g, x, y) => [x.RequiresGrad ? SumTo(Mul(g, y), x.Shape) : null, y.RequiresGrad ? SumTo(Mul(g, x), y.Shape) : null]);

    public static Tensor Div(Tensor a, Tensor b) => Binary("div", BinaryOp.Div, a, b,
        (g, x, y) => [x.RequiresGrad ? SumTo(Div(g, y), x.Shape) : null, y.RequiresGrad ? SumTo(Neg(Div(Mul(g, x), Mul(y, y))), y.Shape) : null]);

    public static Tensor Neg(Tensor x) => Unary("neg", UnaryOp.Neg, 0, x);
    public static Tensor Exp(Tensor x) => Unary("exp", UnaryOp.Exp, 0, x);
    public static Tensor Log(Tensor x) => Unary("log", UnaryOp.Log, 0, x);
    public static Tensor Sqrt(Tensor x) => Unary("sqrt", UnaryOp.Sqrt, 0, x);
    public static Tensor Abs(Tensor x) => Unary("abs", UnaryOp.Abs, 0, x);
    public static Tensor Pow(Tensor x, double exponent) => Unary("pow", UnaryOp.Pow, exponent, x);
    public static Tensor Scale(Tensor x, double factor) => Unary("scale", UnaryOp.Scale, factor, x);
    public static Tensor AddScalar(Tensor x, double value) => Unary("add_scalar", UnaryOp.AddScalar, value, x);

    /// <summary>c = a ∘ b broadcast. With a channels-last operand and a rank-4 result, both operands become
    /// channels-last rank-4 tensors (free for a bias [C, 1, 1]) and the primitive broadcasts their physical
    /// [N, H, W, C] views, so a per-channel operand varies along the innermost axis; the rule <paramref name="backward"/>
    /// gets the operands as computed with, so its gradients come back in their formats.</summary>
    private static Tensor Binary(string op, BinaryOp kind, Tensor a, Tensor b, Func<Tensor, Tensor, Tensor, Tensor?[]> backward)
    {
        RequireCompatible(op, a, b);
        RequireFloat(op, a);
        Shape shape;
        try { shape = Shape.Broadcast(a.Shape, b.Shape); }
        catch (ArgumentException e) { throw new ArgumentException($"{op}: {e.Message}"); }
        MemoryFormat format = CommonFormat(a, b);
        if (format == MemoryFormat.ChannelsLast && shape.Rank != 4) (a, b, format) = (Contiguous(a), Contiguous(b), MemoryFormat.Contiguous);
        else if (format == MemoryFormat.ChannelsLast) (a, b) = (AsChannelsLast(a), AsChannelsLast(b));
        Tensor c = Tensor.Empty(shape, a.DType, a.Backend, format);
        a.Backend.Binary(kind, Physical(a), Physical(b), Physical(c));
        return Record(c, op, [a, b], g => backward(g, a, b));
    }

    /// <summary>y = f(x) for a backend elementwise map, with its derivative from the same primitive family.</summary>
    private static Tensor Unary(string op, UnaryOp kind, double alpha, Tensor x)
    {
        RequireFloat(op, x);
        Tensor y = EmptyLike(x);
        x.Backend.Unary(kind, alpha, x, y);
        return Record(y, op, [x], dy => [UnaryDerivative(kind, alpha, x, y, dy)], readsOutput: kind is UnaryOp.Tanh or UnaryOp.Sigmoid);
    }

    /// <summary>
    /// dx = dy · f'(x). A first-order backward (grad mode off) takes the fused primitive. When the backward pass is
    /// being recorded, a derivative that varies smoothly with x is written with ops on x or y = f(x), so it has its
    /// own gradient; one that is piecewise constant (ReLU, LeakyReLU, abs, the affine maps) is linear in dy, and is
    /// recorded as the same primitive with itself as its rule.
    /// </summary>
    private static Tensor UnaryDerivative(UnaryOp kind, double alpha, Tensor x, Tensor y, Tensor dy)
    {
        if (GradMode.Enabled && (x.RequiresGrad || dy.RequiresGrad))
            switch (kind)
            {
                case UnaryOp.Tanh: return Mul(dy, AddScalar(Neg(Mul(y, y)), 1));
                case UnaryOp.Sigmoid: return Mul(dy, Sub(y, Mul(y, y)));
                case UnaryOp.Exp: return Mul(dy, y);
                case UnaryOp.Log: return Div(dy, x);
                case UnaryOp.Sqrt: return Div(Scale(dy, 0.5), y);
                case UnaryOp.Pow: return Mul(dy, Scale(Pow(x, alpha - 1), alpha));
            }
        Tensor dx = EmptyLike(x);
        x.Backend.UnaryBackward(kind, alpha, x, y, dy, dx);
        // x is an input only so that its version is checked: the slope read from it must not have been overwritten.
        return Record(dx, "unary_backward", [dy, x], ddx => [UnaryDerivative(kind, alpha, x, y, ddx), null]);
    }

    /// <summary>
    /// y = f(x) written over x (PyTorch's relu_ / inplace=True), for maps whose derivative the result alone gives
    /// (ReLU and LeakyReLU with a slope ≥ 0: y &gt; 0 exactly where x &gt; 0), so x's values are not needed again and
    /// its memory serves for y. x's storage version is bumped: an op recorded earlier that still needs x's old
    /// values fails at backward with a message instead of computing a wrong gradient.
    /// </summary>
    private static Tensor UnaryInPlace(string op, UnaryOp kind, double alpha, Tensor x)
    {
        RequireFloat(op, x);
        if (x.IsLeaf && x.RequiresGrad)
            throw new InvalidOperationException($"{op}: a leaf tensor that requires grad ({x.Shape}) cannot be modified in place; use the out-of-place op.");
        x.Backend.Unary(kind, alpha, x, x);
        x.Storage.Version++;
        Tensor y = new(x.Storage, x.Shape, x.MemoryFormat);
        return Record(y, op, [x], dy => [UnaryDerivative(kind, alpha, y, y, dy)], readsOutput: true);
    }
}
