using RawGan.Tensors;

namespace RawGan.Data;

/// <summary>
/// The classic augmentations of real images, around any data set: a random crop (pad by <c>cropPadding</c> pixels
/// of -1, black, and cut the original size back out at a random offset) and a random rotation within ±
/// <c>rotationDegrees</c> about the centre (bilinear, -1 outside). Both draw from the sample's augment seed (draws
/// 16 onward, past any the inner data set uses), so an epoch is the same on any thread and a resumed run
/// continues exactly.
/// </summary>
public sealed class AugmentedDataset(IDataset inner, int cropPadding, double rotationDegrees) : IDataset
{
    private const ulong FirstDraw = 16;

    public int Count => inner.Count;
    public int Channels => inner.Channels;
    public int Height => inner.Height;
    public int Width => inner.Width;
    public int ClassCount => inner.ClassCount;
    public IReadOnlyList<string> Classes => inner.Classes;

    /// <summary><paramref name="data"/> itself when neither augmentation is on.</summary>
    public static IDataset Wrap(IDataset data, int cropPadding, double rotationDegrees) =>
        cropPadding == 0 && rotationDegrees == 0 ? data : new AugmentedDataset(data, cropPadding, rotationDegrees);

    public void Load(int index, Span<float> pixels, ulong augmentSeed, out int label)
    {
        inner.Load(index, pixels, augmentSeed, out label);
        int h = Height, w = Width;
        float[] source = pixels.ToArray();
        // The output pixel (y, x) reads the source at R·(y - cy, x - cx) + (cy, cx) - (dy, dx): rotation, then shift.
        double angle = (Philox.Uniform(augmentSeed, FirstDraw) * 2 - 1) * rotationDegrees * Math.PI / 180;
        int dy = cropPadding == 0 ? 0 : (int)(Philox.Uniform(augmentSeed, FirstDraw + 1) * (2 * cropPadding + 1)) - cropPadding;
        int dx = cropPadding == 0 ? 0 : (int)(Philox.Uniform(augmentSeed, FirstDraw + 2) * (2 * cropPadding + 1)) - cropPadding;
        double cos = Math.Cos(angle), sin = Math.Sin(angle), cy = (h - 1) / 2.0, cx = (w - 1) / 2.0;
        for (int c = 0; c < Channels; c++)
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            double ry = y - cy, rx = x - cx;
            double sy = cos * ry - sin * rx + cy - dy, sx = sin * ry + cos * rx + cx - dx;
            pixels[(c * h + y) * w + x] = Bilinear(source, c, h, w, sy, sx);
        }
    }

    private static float Bilinear(float[] image, int c, int h, int w, double y, double x)
    {
        int y0 = (int)Math.Floor(y), x0 = (int)Math.Floor(x);
        double fy = y - y0, fx = x - x0, sum = 0;
        for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
        {
            int yy = y0 + i, xx = x0 + j;
            double weight = (i == 0 ? 1 - fy : fy) * (j == 0 ? 1 - fx : fx);
            if (weight == 0) continue;
            sum += weight * (yy >= 0 && yy < h && xx >= 0 && xx < w ? image[(c * h + yy) * w + xx] : -1);
        }
        return (float)sum;
    }
}
