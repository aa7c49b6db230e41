using System.Text.Json.Serialization;

namespace RawGan.Data;

/// <summary>How an image of any shape becomes a square of the target size (crop or fit in a config).</summary>
public enum ResizeMode
{
    /// <summary>Resize the shorter side to the target, then cut the centre square: torchvision's
    /// <c>Resize(size)</c> followed by <c>CenterCrop(size)</c>, the DCGAN recipe.</summary>
    [JsonStringEnumMemberName("crop")] CenterCrop,

    /// <summary>Cut the largest centred square of the original, then resize it to the target: PIL's
    /// <c>ImageOps.fit</c>. One resampling step over exactly the kept region.</summary>
    [JsonStringEnumMemberName("fit")] Fit,
}
