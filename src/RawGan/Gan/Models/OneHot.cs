using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Gan.Models;

internal static class OneHot
{
    /// <summary>One-hot rows [N, classes] for int32 labels, with <paramref name="like"/>'s dtype and device: rows of
    /// the identity gathered by label (an embedding lookup), so the labels are never read back to the host; a label
    /// out of range is refused by the gather's index check.</summary>
    public static Tensor Encode(Tensor labels, int classes, Tensor like)
    {
        var identity = new float[classes * classes];
        for (int i = 0; i < classes; i++) identity[i * classes + i] = 1;
        Tensor table = Tensor.FromSpan<float>(identity, new Shape(classes, classes), DType.Float32, like.Backend).ToDType(like.DType);
        return F.Embedding(labels, table);
    }
}
