namespace RawGan.Data;

/// <summary>
/// Separable resampling with a triangle (bilinear) filter whose support widens with the shrink factor, as PIL's
/// <c>Image.resize(size, BILINEAR, box)</c> does. Shrinking by k blends about 2k source pixels into each output
/// pixel, so detail finer than the new pixel grid averages to its mean instead of aliasing into moiré;
/// enlarging is plain bilinear interpolation. Works on planar (channel-major) float images.
/// </summary>
internal static class Resample
{
    /// <summary>A source region in pixel coordinates (edges, so a whole W×H image is (0, 0, W, H)); may be fractional.</summary>
    public readonly record struct Box(double Left, double Top, double Right, double Bottom);

    /// <summary>Resamples <paramref name="box"/> of a channels×height×width image to channels×outHeight×outWidth.</summary>
    public static float[] Planar(ReadOnlySpan<float> source, int channels, int height, int width, Box box, int outHeight, int outWidth)
    {
        var output = new float[channels * outHeight * outWidth];
        if (IsWholePixelCopy(box, outHeight, outWidth))
        {
            // Scale 1 on the pixel grid: the filter's weights are exactly 1 and 0, so copy instead of computing them.
            for (int c = 0; c < channels; c++)
                for (int y = 0; y < outHeight; y++)
                    source.Slice((c * height + (int)box.Top + y) * width + (int)box.Left, outWidth)
                          .CopyTo(output.AsSpan((c * outHeight + y) * outWidth, outWidth));
            return output;
        }

        var rows = new Taps(height, box.Top, box.Bottom, outHeight);
        var columns = new Taps(width, box.Left, box.Right, outWidth);

        // Horizontal pass over just the source rows the vertical pass reads (tap windows only move forward).
        int firstRow = rows.Start[0], rowCount = rows.Start[^1] + rows.Count[^1] - firstRow;
        var across = new float[channels * rowCount * outWidth];
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < rowCount; y++)
                columns.Apply(source.Slice((c * height + firstRow + y) * width, width),
                              across.AsSpan((c * rowCount + y) * outWidth, outWidth));

        // Vertical pass: each output row is a weighted sum of whole rows, which keeps the inner loop contiguous.
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < outHeight; y++)
            {
                Span<float> target = output.AsSpan((c * outHeight + y) * outWidth, outWidth);
                for (int k = 0; k < rows.Count[y]; k++)
                {
                    float weight = rows.Weights[y * rows.Stride + k];
                    ReadOnlySpan<float> row = across.AsSpan((c * rowCount + rows.Start[y] - firstRow + k) * outWidth, outWidth);
                    for (int x = 0; x < outWidth; x++) target[x] += weight * row[x];
                }
            }
        return output;
    }

    private static bool IsWholePixelCopy(Box box, int outHeight, int outWidth) =>
        box.Left == Math.Floor(box.Left) && box.Top == Math.Floor(box.Top) &&
        box.Right - box.Left == outWidth && box.Bottom - box.Top == outHeight;

    /// <summary>
    /// The filter taps along one axis, computed as PIL's <c>precompute_coeffs</c> does: output pixel i is centred at
    /// in0 + (i + ½)·scale, and its window reaches scale·support to either side when shrinking (support alone when
    /// enlarging), clipped to the image and renormalised, so edges keep their brightness.
    /// </summary>
    private sealed class Taps
    {
        private const double Support = 1; // the triangle filter's half-width at scale 1

        public readonly int[] Start, Count;
        public readonly float[] Weights; // Stride per output pixel
        public readonly int Stride;

        public Taps(int inSize, double in0, double in1, int outSize)
        {
            double scale = (in1 - in0) / outSize;
            double filterScale = Math.Max(scale, 1);
            double support = Support * filterScale;
            Stride = (int)Math.Ceiling(support) * 2 + 1;
            Start = new int[outSize];
            Count = new int[outSize];
            Weights = new float[outSize * Stride];
            for (int i = 0; i < outSize; i++)
            {
                double center = in0 + (i + 0.5) * scale;
                int first = Math.Max((int)(center - support + 0.5), 0);
                int count = Math.Min((int)(center + support + 0.5), inSize) - first;
                double Triangle(int k) => Math.Max(0, 1 - Math.Abs((first + k - center + 0.5) / filterScale));
                double total = 0;
                for (int k = 0; k < count; k++) total += Triangle(k);
                for (int k = 0; k < count; k++) Weights[i * Stride + k] = (float)(Triangle(k) / total);
                Start[i] = first;
                Count[i] = count;
            }
        }

        public void Apply(ReadOnlySpan<float> line, Span<float> output)
        {
            for (int i = 0; i < output.Length; i++)
            {
                ReadOnlySpan<float> window = line.Slice(Start[i], Count[i]);
                ReadOnlySpan<float> weights = Weights.AsSpan(i * Stride, Count[i]);
                float sum = 0;
                for (int k = 0; k < window.Length; k++) sum += weights[k] * window[k];
                output[i] = sum;
            }
        }
    }
}
