using System.Text.Json.Serialization;

namespace RawGan.Gan;

/// <summary>The game's loss (not <see cref="Backends.LossKind"/>, the backend's loss primitives).</summary>
public enum GanLoss
{
    /// <summary>Binary cross-entropy: the non-saturating game of Goodfellow et al.</summary>
    [JsonStringEnumMemberName("bce")] Bce,
    /// <summary>Mean squared error: least-squares GAN (Mao et al.).</summary>
    [JsonStringEnumMemberName("mse")] Mse,
    /// <summary>Wasserstein critic with gradient penalty (Gulrajani et al. 2017): D's raw score, and
    /// λ·(‖∇D(x̂)‖ − 1)² on random interpolates x̂ of real and generated images (<see cref="GanConfig.GpLambda"/>).</summary>
    [JsonStringEnumMemberName("wgan-gp")] WganGp,
    /// <summary>Hinge loss (Lim and Ye; Miyato et al.): D on raw scores, max(0, 1 - D(x)) + max(0, 1 + D(G(z))); G
    /// maximises D(G(z)) (on D's logits).</summary>
    [JsonStringEnumMemberName("hinge")] Hinge,
}

/// <summary>What a loss reads of the discriminator.</summary>
public static class GanLossExtensions
{
    /// <summary>Whether the loss reads D's probability (<see cref="Models.GanDiscriminator.Score"/>) rather than its raw
    /// score (<see cref="Models.GanDiscriminator.Logits"/>).</summary>
    public static bool ScoresProbabilities(this GanLoss loss) => loss is GanLoss.Bce or GanLoss.Mse;
}
