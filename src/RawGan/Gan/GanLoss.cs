using System.Text.Json.Serialization;

namespace RawGan.Gan;

/// <summary>The game's loss (not <see cref="Backends.LossKind"/>, the backend's loss primitives).</summary>
public enum GanLoss
{
    /// <summary>Binary cross-entropy: the non-saturating game of Goodfellow et al.</summary>
    [JsonStringEnumMemberName("bce")] Bce,
    /// <summary>Mean squared error: least-squares GAN (Mao et al.).</summary>
    [JsonStringEnumMemberName("mse")] Mse,
    /// <summary>Hinge loss (Lim and Ye; Miyato et al.): D on raw scores, max(0, 1 - D(x)) + max(0, 1 + D(G(z))); G
    /// maximises D(G(z)). D then ends without a sigmoid.</summary>
    [JsonStringEnumMemberName("hinge")] Hinge,
}

/// <summary>What a loss needs of the discriminator's last layer.</summary>
public static class GanLossExtensions
{
    /// <summary>Whether D's score is a probability (a sigmoid ends D) rather than a raw score.</summary>
    public static bool ScoresProbabilities(this GanLoss loss) => loss is GanLoss.Bce or GanLoss.Mse;
}
