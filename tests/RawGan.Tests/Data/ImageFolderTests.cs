using RawGan.Data;
using RawGan.Tensors;
using StbImageWriteSharp;

namespace RawGan.Tests.Data;

public class ImageFolderTests
{
    private static readonly ImageFolderOptions Small = new() { ImageSize = 4 };

    [Fact]
    public void Subfolders_are_classes_in_ordinal_order_searched_recursively()
    {
        using var folder = new TempFolder();
        TestFiles.SolidPng(folder.File("b/one.png"), 4, 4, 0, 0, 0);
        TestFiles.SolidPng(folder.File("a/deep/er/two.PNG"), 4, 4, 0, 0, 0);
        TestFiles.SolidPng(folder.File("a/three.png"), 4, 4, 0, 0, 0);
        TestFiles.SolidPng(folder.File("C/four.png"), 4, 4, 0, 0, 0);
        File.WriteAllText(folder.File("b/notes.txt"), "not an image");
        TestFiles.SolidPng(folder.File("stray.png"), 4, 4, 0, 0, 0);

        var images = new ImageFolderDataset(folder.Path, Small);

        Assert.Equal(["C", "a", "b"], images.Classes);
        Assert.Equal(4, images.Count);
        Assert.Equal([0, 1, 1, 2], images.Files.Select(f => f.Label));
        Assert.Equal(["four.png", "two.PNG", "three.png", "one.png"], images.Files.Select(f => Path.GetFileName(f.Path)));
        Assert.Contains(images.Warnings, w => w.Contains("stray.png"));
        Assert.Empty(images.SkippedFiles);
        var pixels = new float[3 * 16];
        images.Load(2, pixels, 0, out int label);
        Assert.Equal(1, label);
    }

    [Fact]
    public void Images_in_the_root_are_one_class_named_after_it()
    {
        using var folder = new TempFolder();
        TestFiles.SolidPng(folder.File("x.png"), 5, 7, 0, 0, 0);
        var jpeg = folder.File("y.JPG");
        using (FileStream stream = File.Create(jpeg))
            new ImageWriter().WriteJpg(new byte[8 * 6 * 3], 8, 6, ColorComponents.RedGreenBlue, stream, 90);
        var bmp = folder.File("z.bmp");
        using (FileStream stream = File.Create(bmp))
            new ImageWriter().WriteBmp(new byte[3 * 3 * 3], 3, 3, ColorComponents.RedGreenBlue, stream);

        var images = new ImageFolderDataset(folder.Path, Small);

        Assert.Equal([Path.GetFileName(folder.Path)], images.Classes);
        Assert.Equal(3, images.Count);
        var pixels = new float[3 * 16];
        for (int i = 0; i < 3; i++)
        {
            images.Load(i, pixels, 0, out int label);
            Assert.Equal(0, label);
            Assert.All(pixels, v => Assert.Equal(-1f, v, 0.05f)); // black, whatever the format and size
        }
    }

    [Fact]
    public void Missing_or_empty_folder_is_an_error_naming_it()
    {
        using var folder = new TempFolder();
        string missing = Path.Combine(folder.Path, "nope");
        Assert.Contains(missing, Assert.Throws<DirectoryNotFoundException>(() => new ImageFolderDataset(missing)).Message);

        File.WriteAllText(folder.File("readme.txt"), "no images here");
        var error = Assert.Throws<InvalidDataException>(() => new ImageFolderDataset(folder.Path));
        Assert.Contains(folder.Path, error.Message);
        Assert.Contains("no images", error.Message);
    }

    [Fact]
    public void Corrupt_image_is_skipped_and_counted_or_fails_when_strict()
    {
        using var folder = new TempFolder();
        TestFiles.SolidPng(folder.File("cats/good.png"), 4, 4, 9, 9, 9);
        string bad = folder.File("cats/bad.png");
        File.WriteAllBytes(bad, "this is not a PNG at all"u8.ToArray());

        var images = new ImageFolderDataset(folder.Path, Small);
        Assert.Equal(1, images.Count);
        Assert.Equal([bad], images.SkippedFiles);
        Assert.Contains(images.Warnings, w => w.Contains(bad));

        var error = Assert.Throws<InvalidDataException>(() => new ImageFolderDataset(folder.Path, Small with { Strict = true }));
        Assert.Contains(bad, error.Message);
    }

    [Fact(Timeout = 30_000)]
    public async Task Jpeg_segment_running_past_the_end_is_skipped_not_a_hang()
    {
        using var folder = new TempFolder();
        TestFiles.SolidPng(folder.File("good.png"), 4, 4, 9, 9, 9);
        // An APP0 segment claiming 0x4683 bytes in a 24-byte file: unguarded, stb seeks past the end and spins.
        string bad = folder.File("bad.jpg");
        File.WriteAllBytes(bad, Convert.FromHexString("FFD8FFE04683B59A820377BEF9FAD988E42F80818CE04109"));

        ImageFolderDataset images = await Task.Run(() => new ImageFolderDataset(folder.Path, Small), TestContext.Current.CancellationToken);
        Assert.Equal([bad], images.SkippedFiles);
    }

    /// <summary>A PNG whose header is whole and whose body is cut: it passes the scan, and only decoding finds it.</summary>
    private static string TruncatedPng(TempFolder folder, string name)
    {
        byte[] png = File.ReadAllBytes(Path.Combine(TestFiles.RepositoryRoot(), "tests/RawGan.Tests/Data/fixtures/twemoji/1f600.png"));
        string cut = folder.File(name);
        File.WriteAllBytes(cut, png[..(png.Length / 2)]);
        return cut;
    }

    [Fact]
    public void Strict_a_truncated_body_passes_the_scan_and_fails_the_load_naming_the_file_in_printable_text()
    {
        using var folder = new TempFolder();
        string cut = TruncatedPng(folder, "cut.png");

        var images = new ImageFolderDataset(folder.Path, Small with { Strict = true });
        var error = Assert.Throws<InvalidDataException>(() => images.Load(0, new float[3 * 16], 0, out _));
        Assert.Contains(cut, error.Message);
        Assert.DoesNotContain(error.Message, char.IsControl);
    }

    [Fact]
    public void Without_strict_a_truncated_body_is_skipped_once_and_the_next_image_stands_in()
    {
        using var folder = new TempFolder();
        string cut = TruncatedPng(folder, "a/cut.png");
        TestFiles.SolidPng(folder.File("b/good.png"), 4, 4, 255, 255, 255);
        var images = new ImageFolderDataset(folder.Path, Small);
        var skipped = new List<string>();
        images.FileSkipped += skipped.Add;

        var pixels = new float[3 * 16];
        for (int i = 0; i < 2; i++)
        {
            images.Load(0, pixels, 0, out int label);
            Assert.Equal(1, label); // good.png's, with its pixels
            Assert.All(pixels, p => Assert.Equal(1f, p));
        }
        Assert.Contains(cut, Assert.Single(skipped));
        Assert.DoesNotContain(skipped[0], char.IsControl);
    }

    [Fact]
    public void Folder_of_only_corrupt_images_is_an_error_naming_it()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("bad.jpg"), [1, 2, 3]);

        var error = Assert.Throws<InvalidDataException>(() => new ImageFolderDataset(folder.Path));
        Assert.Contains(folder.Path, error.Message);
        Assert.Contains("unreadable", error.Message);
    }

    [Fact]
    public void Colours_grey_and_alpha_over_white()
    {
        using var folder = new TempFolder();
        // 2×2 RGBA: red, green / blue, transparent black.
        TestFiles.Png(folder.File("p.png"), 2, 2, 4, [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 0, 0, 0, 0]);

        var rgb = new float[12];
        new ImageFolderDataset(folder.Path, new() { ImageSize = 2 }).Load(0, rgb, 0, out _);
        Assert.Equal([1f, -1, -1, 1, /* G */ -1, 1, -1, 1, /* B */ -1, -1, 1, 1], rgb);

        var grey = new float[4];
        new ImageFolderDataset(folder.Path, new() { ImageSize = 2, Grayscale = true }).Load(0, grey, 0, out _);
        float[] luma = [0.299f, 0.587f, 0.114f, 1f];
        Assert.Equal(luma.Select(l => l * 2 - 1), grey, (a, b) => MathF.Abs(a - b) < 1e-5f);
    }

    [Fact]
    public void Flip_follows_draw_zero_of_the_augment_seed()
    {
        using var folder = new TempFolder();
        TestFiles.Png(folder.File("halves.png"), 2, 2, 1, [0, 255, 0, 255]); // black left, white right
        var images = new ImageFolderDataset(folder.Path, new() { ImageSize = 2, Grayscale = true, RandomHorizontalFlip = true });

        ulong[] seeds = Enumerable.Range(0, 64).Select(i => (ulong)i).ToArray();
        var pixels = new float[4];
        foreach (ulong seed in seeds)
        {
            images.Load(0, pixels, seed, out _);
            bool flipped = Philox.Uniform(seed, 0) < 0.5;
            Assert.Equal(flipped ? [1f, -1f, 1f, -1f] : [-1f, 1f, -1f, 1f], pixels);
        }
        Assert.Contains(seeds, s => Philox.Uniform(s, 0) < 0.5);
        Assert.Contains(seeds, s => Philox.Uniform(s, 0) >= 0.5);
    }

    /// <summary>
    /// Twemoji PNGs in the encodings the set uses come out in their palette colours (Twemoji red #DD2E44, face
    /// yellow #FFCC4D, eye brown #664500), with transparent corners white.
    /// </summary>
    [Theory]
    [InlineData("1f600.png", 0xFFFFFF, 0xFFCC4D, 0x664500)] // 8-bit palette + tRNS: corner, cheek, eye
    [InlineData("1f7e5.png", 0xFFFFFF, 0xDD2E44, 0xDD2E44)] // 4-bit palette + tRNS
    [InlineData("2764-fe0f.png", 0xFFFFFF, 0xDD2E44, 0xDD2E44)] // RGBA
    public void Twemoji_palette_and_rgba_pngs_decode(string name, int corner, int centre, int upperLeft)
    {
        using var folder = new TempFolder();
        File.Copy(Path.Combine(TestFiles.RepositoryRoot(), "tests/RawGan.Tests/Data/fixtures/twemoji", name), folder.File(name));
        var images = new ImageFolderDataset(folder.Path, new() { ImageSize = 64 });

        var pixels = new float[3 * 64 * 64];
        images.Load(0, pixels, 0, out _);
        int At(int row, int column) => Enumerable.Range(0, 3)
            .Aggregate(0, (rgb, c) => rgb << 8 | (int)MathF.Round((pixels[(c * 64 + row) * 64 + column] + 1) * 255 / 2));

        Assert.Equal(corner.ToString("X6"), At(0, 0).ToString("X6"));
        Assert.Equal(centre.ToString("X6"), At(32, 32).ToString("X6"));
        Assert.Equal(upperLeft.ToString("X6"), At(20, 20).ToString("X6"));
    }
}
