using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Nn;

/// <summary>torch.nn.Dropout: zeroes elements with probability p in training and scales the rest by 1/(1-p).
/// Masks are drawn from <paramref name="generator"/> (or <see cref="Init.DefaultGenerator"/>), so a seeded run
/// and a resumed run draw the same masks.</summary>
public sealed class Dropout(double p = 0.5, Generator? generator = null) : Module
{
    public double P { get; } = p is >= 0 and <= 1 ? p : throw new ArgumentOutOfRangeException(nameof(p), $"Dropout probability must be in [0, 1], got {p}.");

    public override Tensor Forward(Tensor input) => F.Dropout(input, P, Training, generator ?? Init.DefaultGenerator);
}
