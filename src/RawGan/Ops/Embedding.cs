using RawGan.Tensors;

namespace RawGan.Ops;

public static partial class F
{
    /// <summary>Rows of weight [V, D] picked by int32 indices of any shape; the result has shape indices.shape + [D].</summary>
    public static Tensor Embedding(Tensor indices, Tensor weight)
    {
        const string op = "embedding";
        if (indices.DType != DType.Int32) throw new ArgumentException($"{op}: indices must be int32, got {indices.DType.Name()}.");
        RequireFloat(op, weight, "weight");
        RequireRank(op, weight, 2, "weight", "[num_embeddings, embedding_dim]");
        if (!ReferenceEquals(indices.Backend, weight.Backend))
            throw new ArgumentException($"{op}: indices are on {indices.Backend.Name} but the weight is on {weight.Backend.Name}.");
        int d = weight.Shape[1];
        // Index ranges are checked by the backends' Gather and ScatterAdd, where the indices live (the CUDA one
        // checks a label tensor once, not on every forward).

        var flat = new Tensor(indices.Storage, new Shape((int)indices.Numel));
        Tensor y = Empty(new Shape((int)indices.Numel, d), weight);
        weight.Backend.Gather(weight, flat, y);
        y = Record(y, op, [weight], dy => [EmbeddingBackward(dy, flat, weight.Shape)]);
        return Reshape(y, [.. indices.Shape.Dims, d]);
    }

    /// <summary>The rows of dy added into a zero table at their indices; its own gradient picks the rows again.</summary>
    private static Tensor EmbeddingBackward(Tensor dy, Tensor flat, Shape table)
    {
        Tensor dw = Tensor.Zeros(table, dy.DType, dy.Backend); // ScatterAdd accumulates
        dy.Backend.ScatterAdd(dy, flat, dw);
        return Record(dw, "embedding_backward", [dy], ddw => [Embedding(flat, ddw)]);
    }
}
