using RawGan.Tensors;

namespace RawGan.Ops;

public static partial class F
{
    /// <summary>The matrix product of 2-D a [m, k] and b [k, n].</summary>
    public static Tensor Matmul(Tensor a, Tensor b)
    {
        RequireCompatible("matmul", a, b);
        RequireFloat("matmul", a);
        RequireRank("matmul", a, 2, "a", "[m, k]");
        RequireRank("matmul", b, 2, "b", "[k, n]");
        if (a.Shape[1] != b.Shape[0])
            throw new ArgumentException($"matmul: inner sizes differ: a {a.Shape} and b {b.Shape}.");
        return Gemm(false, false, a, b);
    }

    /// <summary>
    /// op(a)·op(b), op transposing where asked: the one product behind matmul, linear and their rules. Its rule is
    /// itself with other transposes (d op(a) = g·op(b)ᵀ, d op(b) = op(a)ᵀ·g), so products differentiate to any order.
    /// </summary>
    private static Tensor Gemm(bool transA, bool transB, Tensor a, Tensor b)
    {
        Tensor c = Empty(new Shape(a.Shape[transA ? 1 : 0], b.Shape[transB ? 0 : 1]), a);
        a.Backend.Gemm(transA, transB, 1, a, b, 0, c);
        return Record(c, "matmul", [a, b], g => [
            a.RequiresGrad ? (transA ? Gemm(transB, true, b, g) : Gemm(false, !transB, g, b)) : null,
            b.RequiresGrad ? (transB ? Gemm(true, transA, g, a) : Gemm(!transA, false, a, g)) : null,
        ]);
    }

    /// <summary>y = x·Wᵀ + b for x [N, in], weight [out, in], bias [out] (torch.nn.functional.linear).</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null)
    {
        const string op = "linear";
        RequireCompatible(op, x, weight);
        RequireFloat(op, x);
        RequireRank(op, x, 2, "input", "[N, in_features]");
        RequireRank(op, weight, 2, "weight", "[out_features, in_features]");
        if (x.Shape[1] != weight.Shape[1])
            throw new ArgumentException($"{op}: input {x.Shape} has {x.Shape[1]} features but weight {weight.Shape} expects {weight.Shape[1]}.");
        int outFeatures = weight.Shape[0];
        if (bias is not null)
        {
            RequireCompatible(op, x, bias);
            RequireShape(op, bias, new Shape(outFeatures), "bias");
        }

        Tensor y = Empty(new Shape(x.Shape[0], outFeatures), x);
        x.Backend.Gemm(false, true, 1, x, weight, 0, y);
        if (bias is not null) x.Backend.Binary(Backends.BinaryOp.Add, y, bias, y);
        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        return Record(y, op, inputs, dy => [
            x.RequiresGrad ? Gemm(false, false, dy, weight) : null,
            weight.RequiresGrad ? Gemm(true, false, dy, x) : null,
            .. bias is null ? Array.Empty<Tensor?>() : [bias.RequiresGrad ? SumTo(dy, bias.Shape) : null],
        ]);
    }
}
