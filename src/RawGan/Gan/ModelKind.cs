using System.Text.Json.Serialization;

namespace RawGan.Gan;

/// <summary>Which GAN a run trains; each has a <see cref="Recipes.GanRecipe"/> (see <see cref="Recipes.GanRecipes"/>).</summary>
public enum ModelKind
{
    /// <summary>The vanilla GAN of Goodfellow et al.: fully connected G and D.</summary>
    [JsonStringEnumMemberName("mlp")] Mlp,
    /// <summary>Radford et al.'s deep convolutional GAN.</summary>
    [JsonStringEnumMemberName("dcgan")] Dcgan,
    /// <summary>The conditional GAN of Mirza and Osindero: fully connected, the label embedded.</summary>
    [JsonStringEnumMemberName("cgan")] Cgan,
    /// <summary>The DCGAN conditioned on a label (one-hot into G's input and D's channels).</summary>
    [JsonStringEnumMemberName("cdcgan")] Cdcgan,
}
