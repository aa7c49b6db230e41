using RawGan.Nn;
using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Gan.Models;

/// <summary>One-hot rows [N, classes] for int32 labels: rows of the identity gathered by label (an embedding
/// lookup), so the labels are never read back to the host; a label out of range is refused by the gather's index
/// check. The identity is a non-persistent buffer: it moves to the model's device once and stays out of the
/// state_dict, whose names match PyTorch's conditional models.</summary>
internal sealed class OneHot : Module
{
    public OneHot(int classes)
    {
        var identity = new float[classes * classes];
        for (int i = 0; i < classes; i++) identity[i * classes + i] = 1;
        RegisterBuffer("identity", Tensor.FromArray(identity, new Shape(classes, classes)), persistent: false);
    }

    public override Tensor Forward(Tensor labels) => F.Embedding(labels, Get("identity"));
}
