namespace RawGan.Data;

/// <summary>
/// An image placed at the centre of a canvas of another size without resampling: cropped where it is larger, with
/// background around it where it is smaller (as torchvision's CenterCrop pads). An odd difference leaves the extra
/// pixel at the bottom and right either way, so placing an image on a larger canvas and back onto one of its own size
/// gives it back exactly: MNIST's 28×28 digits on a DCGAN's 32×32, and a generated 32×32 digit back to the judge's 28.
/// </summary>
internal static class CentreCanvas
{
    /// <summary>Writes channels×<paramref name="outHeight"/>×<paramref name="outWidth"/> values: <paramref name="source"/>
    /// (planar, channels×height×width) centred, <paramref name="background"/> where it does not reach.</summary>
    public static void Place(ReadOnlySpan<float> source, int channels, int height, int width, Span<float> destination, int outHeight, int outWidth, float background)
    {
        int top = Offset(height, outHeight), left = Offset(width, outWidth);
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < outHeight; y++)
            {
                Span<float> row = destination.Slice((c * outHeight + y) * outWidth, outWidth);
                int sy = y + top;
                for (int x = 0; x < outWidth; x++)
                {
                    int sx = x + left;
                    row[x] = sy >= 0 && sy < height && sx >= 0 && sx < width ? source[(c * height + sy) * width + sx] : background;
                }
            }
    }

    /// <summary>The source coordinate of the canvas's first pixel: half the surplus, rounded down (negative when padding).</summary>
    private static int Offset(int size, int canvas) => size >= canvas ? (size - canvas) / 2 : -((canvas - size) / 2);
}
