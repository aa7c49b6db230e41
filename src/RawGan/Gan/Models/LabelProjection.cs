using RawGan.Nn;
using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Gan.Models;

/// <summary>
/// The projection term of Miyato and Koyama (2018): ⟨embed(y), Σ_hw φ(x)⟩ for D's last features φ(x) [N, C, H, W],
/// one learned row of C numbers per class ([N] out). Added to D's unconditional output it makes D's logit the sum of
/// "is this a digit" and "is it this digit", the form the paper derives for a log-likelihood ratio of conditionals.
/// The embedding starts at N(0, 0.02), the scale of the DCGAN weights it sits beside.
/// </summary>
public sealed class LabelProjection : Module
{
    private readonly Embedding _embed;

    public LabelProjection(int classes, int features, Generator? init = null)
    {
        _embed = RegisterModule("embed", new Embedding(classes, features, generator: init));
        Init.Normal(_embed.Weight, 0, 0.02, init);
    }

    public Tensor Project(Tensor features, Tensor labels) => Apply(features, _embed.Weight, labels);

    /// <summary>⟨table[labels], Σ_hw features⟩ per sample, for features [N, C, H, W] and a table [classes, C].</summary>
    public static Tensor Apply(Tensor features, Tensor table, Tensor labels)
    {
        int n = features.Shape[0], c = features.Shape[1];
        if (features.Rank != 4 || c != table.Shape[1])
            throw new ArgumentException($"LabelProjection: expected features [N, {table.Shape[1]}, H, W], got {features.Shape}.");
        Tensor pooled = F.Reshape(F.SumTo(features, new Shape(n, c, 1, 1)), n, c);
        return F.Reshape(F.SumTo(pooled * F.Embedding(labels, table), new Shape(n, 1)), n);
    }

    public override Tensor Forward(Tensor input) =>
        throw new NotSupportedException("LabelProjection needs features and labels: call Project.");
}
