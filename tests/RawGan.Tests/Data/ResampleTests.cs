using RawGan.Data;

namespace RawGan.Tests.Data;

public class ResampleTests
{
    private static float[] Image(int height, int width, Func<int, int, float> value)
    {
        var image = new float[height * width];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) image[y * width + x] = value(y, x);
        return image;
    }

    [Theory]
    [InlineData(37, 23, 0, 0, 23, 37, 8, 5)]      // shrink, unequal factors
    [InlineData(8, 8, 0, 0, 8, 8, 20, 20)]        // enlarge
    [InlineData(30, 40, 2.5, 1.25, 33.5, 27.75, 9, 11)] // fractional box
    public void Constant_image_stays_constant(int height, int width, double left, double top, double right, double bottom, int outHeight, int outWidth)
    {
        float[] source = Image(height, width, (_, _) => 93f);
        float[] output = Resample.Planar(source, 1, height, width, new(left, top, right, bottom), outHeight, outWidth);
        Assert.Equal(outHeight * outWidth, output.Length);
        Assert.All(output, v => Assert.Equal(93f, v, 1e-3f));
    }

    [Fact]
    public void Halving_a_checkerboard_gives_grey()
    {
        float[] board = Image(16, 16, (y, x) => (x + y) % 2 * 255f);
        float[] half = Resample.Planar(board, 1, 16, 16, new(0, 0, 16, 16), 8, 8);
        // Inside, each output pixel's taps cover the board evenly; at the edges the clipped window tilts a little.
        for (int y = 1; y < 7; y++)
            for (int x = 1; x < 7; x++) Assert.Equal(127.5f, half[y * 8 + x], 1e-3f);
        Assert.All(half, v => Assert.InRange(v, 90f, 165f));
    }

    [Fact]
    public void Shrinking_by_three_does_not_alias_stripes()
    {
        // Point sampling at the output centres would land on every third stripe: 0, 255, 0, … full contrast.
        float[] stripes = Image(4, 30, (_, x) => x % 2 * 255f);
        float[] third = Resample.Planar(stripes, 1, 4, 30, new(0, 0, 30, 4), 4, 10);
        Assert.All(third, v => Assert.InRange(v, 100f, 155f));
    }

    [Fact]
    public void Unscaled_whole_pixel_box_is_an_exact_crop()
    {
        float[] source = Image(5, 6, (y, x) => y * 10 + x);
        float[] crop = Resample.Planar(source, 1, 5, 6, new(2, 1, 5, 3), 2, 3);
        Assert.Equal([12f, 13, 14, 22, 23, 24], crop);
    }

    /// <summary>
    /// A 60×40 horizontal ramp (pixel x has value x) to 20×20: 'fit' resamples the centred box [10, 50) by 2; centre
    /// crop resizes to 30×20 and cuts columns 5 … 24. A triangle filter reproduces a ramp, so both give 10.5 + 2j.
    /// </summary>
    [Theory]
    [InlineData(ResizeMode.Fit, false)]
    [InlineData(ResizeMode.CenterCrop, false)]
    [InlineData(ResizeMode.Fit, true)]
    [InlineData(ResizeMode.CenterCrop, true)]
    public void Fit_and_center_crop_keep_the_middle(ResizeMode mode, bool portrait)
    {
        (int height, int width) = portrait ? (60, 40) : (40, 60);
        float[] ramp = Image(height, width, (y, x) => portrait ? y : x);
        var output = new float[20 * 20];
        new ImageTransform(20, mode).Apply(ramp, 1, height, width, output, flip: false);

        for (int y = 0; y < 20; y++)
            for (int x = 0; x < 20; x++)
            {
                float expected = (10.5f + 2 * (portrait ? y : x)) * 2 / 255 - 1;
                Assert.Equal(expected, output[y * 20 + x], 1e-4f);
            }
    }

    [Fact]
    public void Center_crop_leaves_a_fitting_image_unresampled_and_flip_mirrors()
    {
        float[] source = Image(3, 5, (y, x) => y * 10 + x);
        var plain = new float[9];
        var mirrored = new float[9];
        var transform = new ImageTransform(3, ResizeMode.CenterCrop);
        transform.Apply(source, 1, 3, 5, plain, flip: false);
        transform.Apply(source, 1, 3, 5, mirrored, flip: true);

        float[] Bytes(float[] values) => values.Select(v => MathF.Round((v + 1) * 255 / 2, 3)).ToArray();
        Assert.Equal([1f, 2, 3, 11, 12, 13, 21, 22, 23], Bytes(plain));
        Assert.Equal([3f, 2, 1, 13, 12, 11, 23, 22, 21], Bytes(mirrored));
    }

    /// <summary>'pad' resamples nothing: a 3×5 image on a 6×6 canvas sits at row 1, column 0 with black (-1) around
    /// it (an odd surplus leaves its extra pixel at the bottom and right), cutting the centre back out gives it
    /// back exactly, and a larger image is cut to its centre.</summary>
    [Fact]
    public void Pad_centres_the_image_unresampled_on_a_larger_canvas_and_cuts_a_larger_one()
    {
        float[] source = Image(3, 5, (y, x) => y * 10 + x + 1);
        var padded = new float[6 * 6];
        new ImageTransform(6, ResizeMode.Pad).Apply(source, 1, 3, 5, padded, flip: false);
        float[] bytes = padded.Select(v => MathF.Round((v + 1) * 255 / 2, 3)).ToArray();
        for (int y = 0; y < 6; y++)
            for (int x = 0; x < 6; x++)
                Assert.Equal(y is >= 1 and < 4 && x < 5 ? (y - 1) * 10 + x + 1 : 0f, bytes[y * 6 + x]);

        var cut = new float[3 * 3];
        var back = new float[3 * 5];
        CentreCanvas.Place(padded, 1, 6, 6, back, 3, 5, background: 9);
        Assert.Equal(source.Select(v => v * 2 / 255 - 1), back, (a, b) => Math.Abs(a - b) < 1e-6);
        new ImageTransform(3, ResizeMode.Pad).Apply(source, 1, 3, 5, cut, flip: true);
        Assert.Equal([4f, 3, 2, 14, 13, 12, 24, 23, 22], cut.Select(v => MathF.Round((v + 1) * 255 / 2, 3)));
    }
}
