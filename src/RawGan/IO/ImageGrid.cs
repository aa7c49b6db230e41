namespace RawGan.IO;

/// <summary>
/// Saves images in [-1, 1] (planar floats, N×C×H×W, C = 1 or 3) as one PNG, as torchvision's
/// <c>save_image(images, path, nrow, padding=2, normalize=True, value_range=(-1, 1))</c> does: images left to
/// right in rows of <c>nrow</c>, separated and framed by <c>padding</c> black pixels (none around a single image),
/// values clamped to [-1, 1] and mapped to 0…255 with rounding. Grey images give a grey PNG, colour an RGB one.
/// </summary>
public static class ImageGrid
{
    /// <summary>Writes the grid to <paramref name="path"/> atomically (<see cref="AtomicFile"/>). Defaults: 8 per row, 2 pixels of padding.</summary>
    public static void Save(string path, ReadOnlySpan<float> images, int count, int channels, int height, int width, int nrow = 8, int padding = 2)
    {
        byte[] png = EncodePng(images, count, channels, height, width, nrow, padding);
        AtomicFile.Write(path, stream => stream.Write(png));
    }

    /// <summary>Writes one C×H×W image to <paramref name="path"/> as a PNG of its own size.</summary>
    public static void SaveImage(string path, ReadOnlySpan<float> image, int channels, int height, int width) =>
        Save(path, image, 1, channels, height, width);

    /// <summary>The grid as PNG bytes (for a file, or an HTTP response). Defaults: 8 per row, 2 pixels of padding.</summary>
    public static byte[] EncodePng(ReadOnlySpan<float> images, int count, int channels, int height, int width, int nrow = 8, int padding = 2)
    {
        if (channels is not (1 or 3)) throw new ArgumentException($"Images need 1 or 3 channels, not {channels}.", nameof(channels));
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(nrow, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        long expected = (long)count * channels * height * width;
        if (images.Length != expected)
            throw new ArgumentException($"{count} images of {channels}×{height}×{width} need {expected} floats, not {images.Length}.", nameof(images));

        if (count == 1) padding = 0; // make_grid returns a lone image as it is
        int columns = Math.Min(nrow, count), rows = (count + columns - 1) / columns;
        int gridWidth = columns * (width + padding) + padding, gridHeight = rows * (height + padding) + padding;
        var pixels = new byte[gridHeight * gridWidth * channels]; // interleaved, as PNG wants; padding stays 0

        for (int n = 0; n < count; n++)
        {
            int top = n / columns * (height + padding) + padding, left = n % columns * (width + padding) + padding;
            for (int c = 0; c < channels; c++)
                for (int y = 0; y < height; y++)
                {
                    ReadOnlySpan<float> row = images.Slice(((n * channels + c) * height + y) * width, width);
                    int start = ((top + y) * gridWidth + left) * channels + c;
                    for (int x = 0; x < width; x++) pixels[start + x * channels] = ToByte(row[x]);
                }
        }

        return PngEncoder.Encode(pixels, gridWidth, gridHeight, channels);
    }

    /// <summary>[-1, 1] to 0…255 as save_image: clamp, scale, add ½, truncate. NaN (a diverged generator) becomes 0.</summary>
    internal static byte ToByte(float value) =>
        float.IsNaN(value) ? (byte)0 : (byte)((Math.Clamp(value, -1f, 1f) + 1) / 2 * 255 + 0.5f);
}
