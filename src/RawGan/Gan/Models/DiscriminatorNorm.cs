using System.Text.Json.Serialization;

namespace RawGan.Gan.Models;

/// <summary>The normalisation between the DCGAN discriminator's convolutions.</summary>
public enum DiscriminatorNorm
{
    /// <summary>BatchNorm2d, as the DCGAN paper and PyTorch's example have it.</summary>
    [JsonStringEnumMemberName("batch")] Batch,
    /// <summary>None, as in Miyato et al.'s spectrally normalised D: BatchNorm divides each channel by its batch
    /// deviation, which undoes the Lipschitz bound spectral norm sets, and its batch statistics make D's gradient at
    /// one image depend on the whole batch, which gradient penalties (R1, WGAN-GP) cannot have.</summary>
    [JsonStringEnumMemberName("none")] None,
}
