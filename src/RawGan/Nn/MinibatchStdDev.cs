using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Nn;

/// <summary>
/// The minibatch standard deviation layer (Karras et al. 2018, progressive GANs): the standard deviation of every
/// feature over the batch, averaged into one number, appended to each sample as one more channel (a constant map for
/// [N, C, H, W], one more feature for [N, F]). A discriminator seeing it can tell a batch of near-copies from a
/// varied one, which pushes G away from mode collapse.
/// </summary>
public sealed class MinibatchStdDev(double eps = 1e-8) : Module
{
    /// <summary>The layer to insert before a discriminator's last layer, or none.</summary>
    public static Module[] Optional(bool present) => present ? [new MinibatchStdDev()] : [];

    public override Tensor Forward(Tensor input)
    {
        if (input.Rank is not (2 or 4)) throw new ArgumentException($"MinibatchStdDev: expected [N, F] or [N, C, H, W], got {input.Shape}.");
        int n = input.Shape[0];
        var perFeature = new Shape([1, .. input.Shape.ToArray()[1..]]);
        Tensor centred = input - F.SumTo(input, perFeature) / n;
        Tensor std = F.Sqrt(F.SumTo(centred * centred, perFeature) / n + eps);
        int[] map = input.Rank == 4 ? [n, 1, input.Shape[2], input.Shape[3]] : [n, 1];
        Tensor channel = F.ExpandTo(F.Reshape(F.Mean(std), [.. map.Select(_ => 1)]), new Shape(map));
        return F.Concat([input, channel], axis: 1);
    }
}
