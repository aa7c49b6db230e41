using RawGan.IO;
using RawGan.Tests.Data;
using StbImageSharp;

namespace RawGan.Tests.IO;

public class ImageGridTests
{
    /// <summary>Image n of a batch filled with value v(n, c).</summary>
    private static float[] Batch(int count, int channels, int height, int width, Func<int, int, float> value)
    {
        var images = new float[count * channels * height * width];
        for (int n = 0; n < count; n++)
            for (int c = 0; c < channels; c++)
                images.AsSpan((n * channels + c) * height * width, height * width).Fill(value(n, c));
        return images;
    }

    [Fact]
    public void Grid_has_torchvision_geometry_padding_and_values()
    {
        using var folder = new TempFolder();
        string path = folder.File("samples/grid.png");
        // Five 3×4 RGB images: red -1, blue 1, and image n's green (n - 2) / 2.
        float[] images = Batch(5, 3, 3, 4, (n, c) => c == 1 ? (n - 2) / 2f : c - 1);
        ImageGrid.Save(path, images, 5, 3, 3, 4, nrow: 3);

        ImageResult png = ImageResult.FromMemory(File.ReadAllBytes(path), ColorComponents.RedGreenBlue);
        Assert.Equal(ColorComponents.RedGreenBlue, png.SourceComp);
        Assert.Equal((3 * (4 + 2) + 2, 2 * (3 + 2) + 2), (png.Width, png.Height));
        byte[] At(int x, int y) => png.Data.AsSpan((y * png.Width + x) * 3, 3).ToArray();

        Assert.Equal([0, 0, 0], At(0, 0));    // frame
        Assert.Equal([0, 0, 0], At(6, 3));    // gap between images
        Assert.Equal([0, 0, 0], At(15, 8));   // the empty sixth cell
        Assert.Equal([0, 0, 255], At(2, 2));  // image 0: red -1, green -1, blue 1
        Assert.Equal([0, 128, 255], At(2 + 6 * 2 + 3, 2 + 2)); // image 2 (x 14…17, y 2…4): green 0 → 128
        Assert.Equal([0, 255, 255], At(8, 7 + 2)); // image 4 (x 8…11, y 7…9): green 1
    }

    [Fact]
    public void Grey_images_make_a_grey_png_and_values_clamp()
    {
        float[] images = [-3f, -1f, 0.5f, 7f, float.NaN, 0f];
        byte[] bytes = ImageGrid.EncodePng(images, 2, 1, 1, 3, padding: 0);

        ImageResult png = ImageResult.FromMemory(bytes, ColorComponents.Default);
        Assert.Equal(ColorComponents.Grey, png.SourceComp);
        Assert.Equal((6, 1), (png.Width, png.Height));
        Assert.Equal([0, 0, 191, 255, 0, 128], png.Data);
    }

    [Fact]
    public void Single_image_is_saved_without_padding()
    {
        using var folder = new TempFolder();
        string path = folder.File("one.png");
        ImageGrid.SaveImage(path, Batch(1, 3, 5, 7, (_, c) => c == 0 ? 1 : -1), 3, 5, 7);

        ImageResult png = ImageResult.FromMemory(File.ReadAllBytes(path), ColorComponents.RedGreenBlue);
        Assert.Equal((7, 5), (png.Width, png.Height));
        Assert.All(png.Data.Chunk(3), p => Assert.Equal([255, 0, 0], p));
        Assert.Equal([path], Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void Wrong_sizes_are_argument_errors()
    {
        Assert.Throws<ArgumentException>(() => ImageGrid.EncodePng(new float[10], 1, 3, 2, 2));
        Assert.Throws<ArgumentException>(() => ImageGrid.EncodePng(new float[8], 1, 2, 2, 2));
    }
}
