namespace RawGan.Data;

/// <summary>
/// MNIST-style digits from a pair of IDX files (<see cref="MnistIdx"/>), held in memory as bytes. Pixels map from
/// 0…255 to [-1, 1]; images are square, of side <c>imageSize</c> (default: the files' own side, 28 for MNIST),
/// made by <see cref="ResizeMode"/>: by default resized (<see cref="ResizeMode.CenterCrop"/>) with the anti-aliasing
/// resampler, or with <see cref="ResizeMode.Pad"/> placed unresampled on a larger canvas. No augmentation: a mirrored
/// digit is a different glyph. Labels name themselves "0", "1", …; there are at least ten.
/// </summary>
public sealed class MnistDataset : IDataset
{
    private readonly IdxImages _images;
    private readonly byte[] _labels;
    private readonly ImageTransform _transform;

    /// <summary>Reads an image file and a label file (raw or gzip). <paramref name="imageSize"/> is the side of the
    /// output images; null keeps the files' size (28 for MNIST; 32 suits DCGAN). <paramref name="resize"/> says how
    /// the digits reach that size (a square digit is resized alike by crop and fit).</summary>
    public MnistDataset(string imagesPath, string labelsPath, int? imageSize = null, ResizeMode resize = ResizeMode.CenterCrop)
        : this(MnistIdx.ReadImages(imagesPath), MnistIdx.ReadLabels(labelsPath), imagesPath, labelsPath, imageSize, resize)
    {
    }

    private MnistDataset(IdxImages images, byte[] labels, string imagesSource, string labelsSource, int? imageSize, ResizeMode resize)
    {
        if (labels.Length != images.Count)
            throw new InvalidDataException($"'{imagesSource}' holds {images.Count} images but '{labelsSource}' holds {labels.Length} labels.");
        if (images.Count == 0)
            throw new InvalidDataException($"'{imagesSource}' holds no images.");
        _images = images;
        _labels = labels;
        _transform = new ImageTransform(imageSize ?? Math.Min(images.Rows, images.Columns), resize);
        Source = imagesSource;
        Classes = Enumerable.Range(0, Math.Max(10, labels.Max() + 1)).Select(i => i.ToString()).ToArray();
    }

    /// <summary>
    /// Reads the standard file names from <paramref name="folder"/>: <c>train-images-idx3-ubyte</c> and
    /// <c>train-labels-idx1-ubyte</c> (or <c>t10k-*</c> for <see cref="MnistSplit.Test"/>), each optionally
    /// ending in <c>.gz</c>, and also the <c>train-images.idx3-ubyte</c> spelling some mirrors use.
    /// </summary>
    public static MnistDataset FromFolder(string folder, MnistSplit split = MnistSplit.Train, int? imageSize = null, ResizeMode resize = ResizeMode.CenterCrop)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"MNIST folder '{folder}' does not exist.");
        string prefix = split == MnistSplit.Train ? "train" : "t10k";
        return new MnistDataset(Find(folder, prefix, "images", "idx3"), Find(folder, prefix, "labels", "idx1"), imageSize, resize);
    }

    /// <summary>Reads an IDX pair from streams (raw or gzip), such as resources embedded in an assembly;
    /// <paramref name="sourceName"/> names the data in errors and in <see cref="Source"/>.</summary>
    public static MnistDataset FromStreams(Stream images, Stream labels, string sourceName, int? imageSize = null, ResizeMode resize = ResizeMode.CenterCrop)
    {
        string imagesSource = $"{sourceName} (images)", labelsSource = $"{sourceName} (labels)";
        return new MnistDataset(MnistIdx.ReadImages(images, imagesSource), MnistIdx.ReadLabels(labels, labelsSource),
                                imagesSource, labelsSource, imageSize, resize);
    }

    /// <summary>Where the images came from: the image file's path, or the name given to <see cref="FromStreams"/>.</summary>
    public string Source { get; }

    public int Count => _images.Count;
    public int Channels => 1;
    public int Height => _transform.Size;
    public int Width => _transform.Size;
    public int ClassCount => Classes.Count;
    public IReadOnlyList<string> Classes { get; }

    /// <inheritdoc/>
    /// <remarks><paramref name="augmentSeed"/> is unused: digits are not augmented.</remarks>
    public void Load(int index, Span<float> pixels, ulong augmentSeed, out int label)
    {
        LoadArguments.Check(this, index, pixels);
        int size = _images.Rows * _images.Columns;
        var digit = new float[size];
        ReadOnlySpan<byte> bytes = _images.Pixels.AsSpan(index * size, size);
        for (int i = 0; i < size; i++) digit[i] = bytes[i];
        _transform.Apply(digit, 1, _images.Rows, _images.Columns, pixels, flip: false);
        label = _labels[index];
    }

    private static string Find(string folder, string prefix, string kind, string idx)
    {
        string[] names = [$"{prefix}-{kind}-{idx}-ubyte", $"{prefix}-{kind}.{idx}-ubyte"];
        foreach (string name in names)
            foreach (string candidate in (string[])[name, name + ".gz"])
            {
                string path = Path.Combine(folder, candidate);
                if (File.Exists(path)) return path;
            }
        throw new FileNotFoundException($"MNIST folder '{folder}' has no {names[0]} or {names[0]}.gz.");
    }
}

/// <summary>Which half of the standard MNIST files to read.</summary>
public enum MnistSplit
{
    /// <summary>The 60,000 training digits: <c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>.</summary>
    Train,

    /// <summary>The 10,000 test digits: <c>t10k-images-idx3-ubyte</c>, <c>t10k-labels-idx1-ubyte</c>.</summary>
    Test,
}
