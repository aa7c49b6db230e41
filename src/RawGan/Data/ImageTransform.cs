namespace RawGan.Data;

/// <summary>
/// The geometry and value mapping both data sets share: any image (planar floats in 0…255) to a size×size square
/// in [-1, 1] by <see cref="ResizeMode"/>, optionally mirrored left to right.
/// </summary>
internal sealed class ImageTransform(int size, ResizeMode mode)
{
    public int Size { get; } = size > 0 ? size : throw new ArgumentOutOfRangeException(nameof(size), size, "The image size must be positive.");

    /// <summary>Writes channels×Size×Size values of <paramref name="source"/> (channels×height×width, 0…255) to <paramref name="destination"/>.</summary>
    public void Apply(ReadOnlySpan<float> source, int channels, int height, int width, Span<float> destination, bool flip)
    {
        if (mode == ResizeMode.Pad)
        {
            var canvas = new float[channels * Size * Size];
            CentreCanvas.Place(source, channels, height, width, canvas, Size, Size, background: 0);
            CopyWindow(canvas, channels, Size, Size, 0, 0, destination, flip);
            return;
        }
        if (mode == ResizeMode.Fit)
        {
            // ImageOps.fit with centring (0.5, 0.5): the largest centred square, possibly at a half-pixel offset.
            double side = Math.Min(width, height), left = (width - side) / 2, top = (height - side) / 2;
            float[] fitted = Resample.Planar(source, channels, height, width, new(left, top, left + side, top + side), Size, Size);
            CopyWindow(fitted, channels, Size, Size, 0, 0, destination, flip);
            return;
        }

        // torchvision's Resize(size): the shorter side becomes size, the longer int(size·long/short); an image whose
        // shorter side already fits is left alone.
        bool fits = Math.Min(height, width) == Size;
        (int scaledHeight, int scaledWidth) = fits ? (height, width)
            : height <= width ? (Size, (int)((long)Size * width / height))
            : ((int)((long)Size * height / width), Size);
        ReadOnlySpan<float> scaled = fits
            ? source
            : Resample.Planar(source, channels, height, width, new(0, 0, width, height), scaledHeight, scaledWidth);

        // CenterCrop's offsets: int(round((extent - size) / 2)), with Python's round-half-to-even.
        int cropTop = (int)Math.Round((scaledHeight - Size) / 2.0, MidpointRounding.ToEven);
        int cropLeft = (int)Math.Round((scaledWidth - Size) / 2.0, MidpointRounding.ToEven);
        CopyWindow(scaled, channels, scaledHeight, scaledWidth, cropTop, cropLeft, destination, flip);
    }

    /// <summary>Copies the Size×Size window at (top, left), mirrored if asked, mapping 0…255 to [-1, 1] as
    /// torchvision's ToTensor then Normalize(0.5, 0.5) does.</summary>
    private void CopyWindow(ReadOnlySpan<float> image, int channels, int height, int width, int top, int left, Span<float> destination, bool flip)
    {
        const float Scale = 2f / 255;
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < Size; y++)
            {
                ReadOnlySpan<float> row = image.Slice((c * height + top + y) * width + left, Size);
                Span<float> target = destination.Slice((c * Size + y) * Size, Size);
                for (int x = 0; x < Size; x++) target[x] = row[flip ? Size - 1 - x : x] * Scale - 1;
            }
    }
}
