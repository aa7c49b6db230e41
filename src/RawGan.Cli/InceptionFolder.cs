using RawGan.Data;
using RawGan.Eval;
using StbImageSharp;

namespace RawGan.Cli;

/// <summary>
/// A folder of images through the FID Inception-v3 (`rawgan eval --images … --inception`): its pool3 features and
/// class probabilities, and small RGB copies for the memorisation check in pixels. Images are read in RGB (a
/// grayscale file's three channels are equal, Inception's grayscale rule) at the size of the folder's first image
/// (shorter side, centre crop, so a folder that mixes sizes is resized, not refused), then resized to 299 by the
/// chosen preprocessing; they are read a batch at a time, so a large folder never sits in memory whole. The copies
/// are read from the files at 32×32 (decoding twice costs little beside Inception's 5.7 GFLOP an image).
/// </summary>
internal sealed record InceptionFolder(string Name, JudgedImages Judged, float[] Thumbnails)
{
    /// <summary>The side of the copies the memorisation check compares in pixels (RGB).</summary>
    public const int ThumbnailSide = 32;

    public const int ThumbnailValues = 3 * ThumbnailSide * ThumbnailSide;

    /// <summary>The folder's images (at most <paramref name="limit"/>, all when null) at its first image's size.</summary>
    public static (ImageFolderDataset Data, int Count) Open(string folder, int? limit)
    {
        if (File.Exists(folder)) throw new ArgumentException($"{folder} is a file; give a folder of images.");
        string first = new ImageFolderDataset(folder).Files[0].Path;
        ImageInfo info;
        using (FileStream stream = File.OpenRead(first)) info = ImageInfo.FromStream(stream)!.Value;
        var data = new ImageFolderDataset(folder, new ImageFolderOptions { ImageSize = Math.Min(info.Width, info.Height) });
        return (data, Math.Min(data.Count, limit ?? int.MaxValue));
    }

    /// <summary>The first <paramref name="count"/> images of <paramref name="data"/> through <paramref name="net"/>,
    /// <paramref name="batchSize"/> at a time.</summary>
    public static InceptionFolder Judge(ImageFolderDataset data, int count, InceptionV3 net, InceptionResize resize, int batchSize, Action<string> progress)
    {
        var small = new ImageFolderDataset(data.Root, new ImageFolderOptions { ImageSize = ThumbnailSide });
        int side = data.Height, values = 3 * side * side;
        var parts = new List<JudgedImages>();
        var thumbnails = new float[count * ThumbnailValues];
        for (int start = 0; start < count; start += batchSize)
        {
            int n = Math.Min(batchSize, count - start);
            var pixels = new float[n * values];
            for (int i = 0; i < n; i++)
            {
                data.Load(start + i, pixels.AsSpan(i * values, values), 0, out _);
                small.Load(start + i, thumbnails.AsSpan((start + i) * ThumbnailValues, ThumbnailValues), 0, out _);
            }
            parts.Add(net.Judge(pixels, n, 3, side, side, resize, n));
            progress($"Inception-v3: {start + n:N0} of {count:N0} images of {data.Root}");
        }
        return new InceptionFolder(data.Root, JudgedImages.Concat(parts), thumbnails);
    }
}
