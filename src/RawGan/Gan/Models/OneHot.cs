using RawGan.Tensors;

namespace RawGan.Gan.Models;

internal static class OneHot
{
    /// <summary>One-hot rows [N, classes] for int32 labels, with <paramref name="like"/>'s dtype and device. Built on
    /// the host: labels are a few hundred bytes, and a bad label is caught with a clear message.</summary>
    public static Tensor Encode(Tensor labels, int classes, Tensor like)
    {
        int[] l = labels.ToArray<int>();
        var v = new float[l.Length * classes];
        for (int i = 0; i < l.Length; i++)
        {
            if ((uint)l[i] >= (uint)classes) throw new ArgumentOutOfRangeException(nameof(labels), $"Label {l[i]} is out of range for {classes} classes.");
            v[i * classes + l[i]] = 1;
        }
        return Tensor.FromSpan<float>(v, new Shape(l.Length, classes), DType.Float32, like.Backend).ToDType(like.DType);
    }
}
