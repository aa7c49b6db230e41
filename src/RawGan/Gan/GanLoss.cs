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
}
