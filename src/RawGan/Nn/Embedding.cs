using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Nn;

/// <summary>torch.nn.Embedding: a [numEmbeddings, dim] table initialised N(0, 1), looked up by int32 indices.</summary>
public sealed class Embedding : Module
{
    public Embedding(int numEmbeddings, int embeddingDim, Generator? generator = null)
    {
        if (numEmbeddings <= 0 || embeddingDim <= 0)
            throw new ArgumentOutOfRangeException(nameof(numEmbeddings), $"Embedding({numEmbeddings}, {embeddingDim}): sizes must be positive.");
        Init.Normal(RegisterParameter("weight", Tensor.Empty(new Shape(numEmbeddings, embeddingDim))), 0, 1, generator);
    }

    public Tensor Weight => Get("weight");

    public override Tensor Forward(Tensor input) => F.Embedding(input, Weight);
}
