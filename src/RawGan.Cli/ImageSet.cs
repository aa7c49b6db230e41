using RawGan.Data;
using RawGan.Eval;

namespace RawGan.Cli;

/// <summary>Images as the digit judge reads them (count × 28 × 28 gray, [-1, 1]), from a folder: each image is turned
/// gray and brought to 28×28 by a <see cref="ResizeMode"/> (by default the shorter side resized, then the centre
/// cropped, as training reads folders), so folders of mixed sizes are fine.</summary>
internal sealed record ImageSet(string Name, float[] Pixels, int Count)
{
    private const int Pixels28 = DigitJudge.ImageSize * DigitJudge.ImageSize;

    /// <summary>The first <paramref name="limit"/> images of <paramref name="folder"/> in file-name order (all when null).</summary>
    public static ImageSet FromFolder(string folder, int? limit, ResizeMode resize)
    {
        if (File.Exists(folder)) throw new ArgumentException($"{folder} is a file; give a folder of images.");
        var data = new ImageFolderDataset(folder, new ImageFolderOptions { ImageSize = DigitJudge.ImageSize, Grayscale = true, Resize = resize });
        int count = Math.Min(data.Count, limit ?? int.MaxValue);
        var pixels = new float[count * Pixels28];
        for (int i = 0; i < count; i++) data.Load(i, pixels.AsSpan(i * Pixels28, Pixels28), 0, out _);
        return new ImageSet(folder, pixels, count);
    }
}
