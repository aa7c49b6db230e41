using RawGan.Cli;
using RawGan.Eval;
using RawGan.IO;
using RawGan.Tests.Golden;

namespace RawGan.Tests.Eval;

/// <summary>`rawgan eval --images … --inception` reads a folder a batch at a time: the batches' outputs, put together,
/// are those of the whole folder in one batch; a folder that mixes sizes is brought to its first image's size; and
/// outputs of different networks are not put together.</summary>
public sealed class InceptionFolderTests : IClassFixture<InceptionGoldenTests.Network>, IDisposable
{
    private readonly InceptionV3 _net;
    private readonly string _dir = Directory.CreateTempSubdirectory("rawgan-inception-folder-").FullName;

    public InceptionFolderTests(InceptionGoldenTests.Network network) => _net = network.Net;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Batches_read_from_a_folder_of_mixed_sizes_match_one_batch_of_the_resized_images()
    {
        float[] digits = BundledDigits.Select([0, 1]).Images;
        ImageGrid.SaveImage(Path.Combine(_dir, "a.png"), digits.AsSpan(0, BundledDigits.Pixels), 1, 28, 28);
        var large = new float[3 * 40 * 40];
        for (int i = 0; i < large.Length; i++) large[i] = MathF.Sin(i * 0.37f);
        ImageGrid.SaveImage(Path.Combine(_dir, "b.png"), large, 3, 40, 40);

        (RawGan.Data.ImageFolderDataset data, int count) = InceptionFolder.Open(_dir, null);
        Assert.Equal((2, 28), (count, data.Height));
        InceptionFolder folder = InceptionFolder.Judge(data, count, _net, InceptionResize.Clean, batchSize: 1, _ => { });

        var whole = new float[2 * 3 * 28 * 28];
        for (int i = 0; i < 2; i++) data.Load(i, whole.AsSpan(i * 3 * 28 * 28, 3 * 28 * 28), 0, out _);
        JudgedImages expected = _net.Judge(whole, 2, 3, 28, 28, InceptionResize.Clean, batchSize: 2);
        // One batch or two: the same images in the same order (the GEMMs may sum in another order: float32 rounding).
        Close.Assert("pool3", Flat(expected.Features), Flat(folder.Judged.Features), 1e-5 * Flat(expected.Features).Max(Math.Abs), 0);
        Close.Assert("probabilities", Flat(expected.Probabilities), Flat(folder.Judged.Probabilities), 0, 1e-5);
        Assert.Equal(2 * InceptionFolder.ThumbnailValues, folder.Thumbnails.Length);
    }

    private static double[] Flat(double[,] m) => m.Cast<double>().ToArray();

    [Fact]
    public void Outputs_of_different_networks_are_not_concatenated()
    {
        var judge = new JudgedImages(new double[2, 128], new double[2, 10]);
        var inception = new JudgedImages(new double[1, 2048], new double[1, 1008]);
        Assert.Equal(6, JudgedImages.Concat([judge, judge, judge]).Count);
        Assert.Contains("128 features and 10 classes with ones of 2048 and 1008", Assert.Throws<ArgumentException>(() => JudgedImages.Concat([judge, inception])).Message);
        Assert.Contains("got 128 and 10", Assert.Throws<ArgumentException>(() => InceptionEvaluation.Compare(judge, judge, InceptionResize.Legacy)).Message);
    }
}
