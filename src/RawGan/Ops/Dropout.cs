using RawGan.Tensors;

namespace RawGan.Ops;

public static partial class F
{
    /// <summary>
    /// Zeroes each element with probability p and scales the rest by 1/(1-p) in training; the identity in eval
    /// (torch.nn.functional.dropout). The mask comes from <paramref name="generator"/>, so runs are reproducible.
    /// </summary>
    public static Tensor Dropout(Tensor x, double p, bool training, Generator generator)
    {
        if (p is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(p), $"dropout: probability must be in [0, 1], got {p}.");
        if (!training || p == 0) return x;
        return Mul(x, DropoutMask(x, p, generator));
    }

    /// <summary>The scaled keep-mask Dropout multiplies by: 1/(1-p) with probability 1-p, else 0.</summary>
    public static Tensor DropoutMask(Tensor like, double p, Generator generator)
    {
        Tensor mask = EmptyLike(like);
        if (p < 1) like.Backend.FillBernoulli(mask, generator.Seed, generator.Advance(mask.Numel), 1 - p, 1 / (1 - p));
        return mask;
    }
}
