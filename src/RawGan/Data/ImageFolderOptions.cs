using System.Text.Json.Serialization;

namespace RawGan.Data;

/// <summary>How <see cref="ImageFolderDataset"/> turns files into training images.</summary>
public sealed record ImageFolderOptions
{
    /// <summary>Side of the square output images, in pixels. Default 64 (the DCGAN recipe).</summary>
    public int ImageSize { get; init; } = 64;

    /// <summary>How images of other shapes become squares. Default <see cref="ResizeMode.CenterCrop"/>.</summary>
    public ResizeMode Resize { get; init; } = ResizeMode.CenterCrop;

    /// <summary>One grey channel (ITU-R 601 luma, as PIL's <c>convert("L")</c>) instead of three RGB channels. Default false.</summary>
    public bool Grayscale { get; init; }

    /// <summary>Mirror each image left to right with probability ½, a fresh draw per load. Default false.</summary>
    public bool RandomHorizontalFlip { get; init; }

    /// <summary>Throw on the first unreadable image instead of skipping it with a warning. Default false.</summary>
    public bool Strict { get; init; }
}

/// <summary>How an image of any shape becomes a square of the target size.</summary>
public enum ResizeMode
{
    /// <summary>Resize the shorter side to the target, then cut the centre square: torchvision's
    /// <c>Resize(size)</c> followed by <c>CenterCrop(size)</c>, the DCGAN recipe.</summary>
    [JsonStringEnumMemberName("crop")] CenterCrop,

    /// <summary>Cut the largest centred square of the original, then resize it to the target: PIL's
    /// <c>ImageOps.fit</c>. One resampling step over exactly the kept region.</summary>
    [JsonStringEnumMemberName("fit")] Fit,

    /// <summary>No resampling: the image at the centre of the target square, cut where it is larger and with black
    /// around it where it is smaller (<see cref="CentreCanvas"/>). MNIST's 28×28 digits on a DCGAN's 32×32 keep every
    /// pixel sharp, and the digit judge reads a generated digit's centre 28×28 back exactly.</summary>
    [JsonStringEnumMemberName("pad")] Pad,
}
