using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Nn;

/// <summary>torch.nn.Dropout: zeroes elements with probability p in training and scales the rest by 1/(1-p).
/// Masks are drawn from <paramref name="generator"/> (or <see cref="Init.DefaultGenerator"/>), so a seeded run
/// and a resumed run draw the same masks.</summary>
public sealed class Dropout(double p = 0.5, Generator? generator = null) : Module
{
    public double P { get; } = p is >= 0 and <= 1 ? p : throw new ArgumentOutOfRangeException(nameof(p), $"Dropout probability must be in [0, 1], got {p}.");

    /// <summary>Replaces the generator's masks with given ones (scaled keep-masks of the input's shape): how the
    /// PyTorch regression test replays the masks PyTorch drew.</summary>
    internal Func<Shape, Tensor>? MaskSource { get; set; }

    public override Tensor Forward(Tensor input) => MaskSource is not null && Training && P > 0
        ? F.Mul(input, MaskSource(input.Shape))
        : F.Dropout(input, P, Training, generator ?? Init.DefaultGenerator);
}
