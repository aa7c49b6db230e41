using System.Text.Json.Serialization;

namespace RawGan.Gan.Models;

/// <summary>How a conditional discriminator takes the label.</summary>
public enum LabelConditioning
{
    /// <summary>The label concatenated to D's input (one-hot planes for the cDCGAN, an embedding for the CGAN).</summary>
    [JsonStringEnumMemberName("concat")] Concat,
    /// <summary>The projection discriminator (Miyato and Koyama 2018): D's output plus the inner product of a learned
    /// class embedding with D's last features, which scores how well the image fits its label.</summary>
    [JsonStringEnumMemberName("projection")] Projection,
}
