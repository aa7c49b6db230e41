using RawGan.Tensors;
using StbImageSharp;

namespace RawGan.Data;

/// <summary>
/// Images (.jpg, .jpeg, .png, .bmp, any case) under a folder, labelled as torchvision's <c>ImageFolder</c> does:
/// each subfolder of the root is a class, searched recursively, and classes are numbered in ordinal name order.
/// A root without subfolders is a single class holding its own images. Hidden files and folders are ignored.
/// <para>
/// The constructor reads every file's header, so an unreadable file is found up front: it is skipped and listed
/// in <see cref="SkippedFiles"/> and <see cref="Warnings"/>, or, with <see cref="ImageFolderOptions.Strict"/>,
/// throws. <see cref="Load"/> decodes the file each time (nothing is cached) and applies the options' transforms;
/// a file whose header was fine but whose body is not (a truncated PNG) is found only then, and is skipped the same
/// way (the next decodable sample stands in for it, so batches keep their size and a run stays reproducible) and
/// reported through <see cref="FileSkipped"/>, or, strict, throws.
/// </para>
/// </summary>
public sealed class ImageFolderDataset : IDataset
{
    private static readonly string[] Extensions = [".jpg", ".jpeg", ".png", ".bmp"];

    private readonly (string Path, int Label)[] _images;
    private readonly ImageTransform _transform;
    private readonly List<string> _skipped = [], _warnings = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, string> _undecodable = new();

    /// <summary>Indexes the images under <paramref name="root"/>; <paramref name="options"/> defaults to <c>new ImageFolderOptions()</c>.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">The folder holds no decodable image, or (strict) an unreadable one.</exception>
    public ImageFolderDataset(string root, ImageFolderOptions? options = null)
    {
        Options = options ?? new ImageFolderOptions();
        _transform = new ImageTransform(Options.ImageSize, Options.Resize);
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"Image folder '{root}' does not exist.");
        Root = root;

        var topLevel = new EnumerationOptions { RecurseSubdirectories = false };
        string[] classFolders = Directory.GetDirectories(root, "*", topLevel).Order(StringComparer.Ordinal).ToArray();
        var images = new List<(string, int)>();
        if (classFolders.Length == 0)
        {
            Classes = [Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)))];
            images.AddRange(Scan(root, topLevel).Select(path => (path, 0)));
        }
        else
        {
            Classes = classFolders.Select(Path.GetFileName).ToArray()!;
            foreach (string stray in ImageFiles(root, topLevel))
                _warnings.Add($"'{stray}' lies beside the class folders and is ignored.");
            for (int label = 0; label < classFolders.Length; label++)
            {
                int before = images.Count;
                images.AddRange(Scan(classFolders[label], new EnumerationOptions { RecurseSubdirectories = true }).Select(path => (path, label)));
                if (images.Count == before) _warnings.Add($"Class folder '{classFolders[label]}' holds no decodable image.");
            }
        }

        if (images.Count == 0)
        {
            string detail = _skipped.Count > 0 ? $": all {_skipped.Count} image files are unreadable, e.g. '{_skipped[0]}'"
                : classFolders.Length > 0 ? " in its class folders (images directly in a folder with subfolders are ignored, as torchvision's ImageFolder does)"
                : $" ({string.Join(", ", Extensions)})";
            throw new InvalidDataException($"Image folder '{root}' holds no images{detail}.");
        }
        _images = images.ToArray();
    }

    public string Root { get; }
    public ImageFolderOptions Options { get; }

    /// <summary>Raised once per file that <see cref="Load"/> found undecodable and skipped, with the reason
    /// (from a loader's worker thread).</summary>
    public event Action<string>? FileSkipped;

    /// <summary>Image files left out because their header could not be read.</summary>
    public IReadOnlyList<string> SkippedFiles => _skipped;

    /// <summary>What the scan noticed: skipped files with the reason, stray files beside the class folders, empty classes.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    public int Count => _images.Length;
    public int Channels => Options.Grayscale ? 1 : 3;
    public int Height => _transform.Size;
    public int Width => _transform.Size;
    public int ClassCount => Classes.Count;
    public IReadOnlyList<string> Classes { get; }

    /// <summary>Every sample's file and label, in index order (class by class, paths in ordinal order).</summary>
    public IReadOnlyList<(string Path, int Label)> Files => _images;

    /// <inheritdoc/>
    /// <remarks>The flip, when enabled, happens when draw 0 of <paramref name="augmentSeed"/> is below ½.</remarks>
    public void Load(int index, Span<float> pixels, ulong augmentSeed, out int label)
    {
        LoadArguments.Check(this, index, pixels);
        ImageResult? image = null;
        label = _images[index].Label;
        for (int i = 0; image is null; i++)
        {
            if (i == _images.Length) throw new InvalidDataException($"Image folder '{Root}': no file decodes any more ({_undecodable.Count} found corrupt while training).");
            int candidate = (index + i) % _images.Length;
            label = _images[candidate].Label;
            image = Decode(candidate);
        }
        float[] planes = Planes(image.Data, image.Width * image.Height, Options.Grayscale);
        bool flip = Options.RandomHorizontalFlip && Philox.Uniform(augmentSeed, 0) < 0.5;
        _transform.Apply(planes, Channels, image.Height, image.Width, pixels, flip);
    }

    /// <summary>The image of sample <paramref name="index"/>; null when it does not decode and is skipped.</summary>
    private ImageResult? Decode(int index)
    {
        if (_undecodable.ContainsKey(index)) return null;
        string path = _images[index].Path;
        try
        {
            using var stream = new EndClampedStream(File.OpenRead(path));
            return ImageResult.FromStream(stream, ColorComponents.RedGreenBlueAlpha);
        }
        catch (Exception e)
        {
            string reason = Reason(e);
            if (Options.Strict) throw new InvalidDataException($"Cannot decode image '{path}': {reason}.", e);
            if (_undecodable.TryAdd(index, reason)) FileSkipped?.Invoke($"skipped '{path}': {reason}.");
            return null;
        }
    }

    /// <summary>A decoder's message fit to print: stb's are terse, sometimes blank, and sometimes the bytes it read
    /// (NULs and other control characters, which must not reach a terminal).</summary>
    private static string Reason(Exception e)
    {
        string printable = new string(e.Message.Where(c => !char.IsControl(c)).ToArray()).Trim().TrimEnd('.', ':').Trim();
        return printable.Length == 0 ? "corrupt or truncated data" : printable;
    }

    /// <summary>
    /// RGBA bytes to planar floats (0…255), composited over white: transparent pixels hold arbitrary colours (often
    /// black), so they must be replaced by a background, and white is the one emoji and icons are drawn to sit on,
    /// which keeps dark outlines visible and sample grids looking like the originals.
    /// </summary>
    private static float[] Planes(byte[] rgba, int pixelCount, bool grayscale)
    {
        var planes = new float[(grayscale ? 1 : 3) * pixelCount];
        for (int p = 0; p < pixelCount; p++)
        {
            float alpha = rgba[4 * p + 3] / 255f, white = 255 * (1 - alpha);
            float r = rgba[4 * p] * alpha + white, g = rgba[4 * p + 1] * alpha + white, b = rgba[4 * p + 2] * alpha + white;
            if (grayscale)
                planes[p] = 0.299f * r + 0.587f * g + 0.114f * b;
            else
                (planes[p], planes[pixelCount + p], planes[2 * pixelCount + p]) = (r, g, b);
        }
        return planes;
    }

    /// <summary>The readable images under <paramref name="folder"/> in ordinal path order; unreadable ones are recorded (or thrown, if strict).</summary>
    private IEnumerable<string> Scan(string folder, EnumerationOptions options)
    {
        var readable = new List<string>();
        foreach (string path in ImageFiles(folder, options).Order(StringComparer.Ordinal))
        {
            string? problem = HeaderProblem(path);
            if (problem is null) { readable.Add(path); continue; }
            if (Options.Strict) throw new InvalidDataException($"Cannot read image '{path}': {problem}.");
            _skipped.Add(path);
            _warnings.Add($"skipped '{path}': {problem}.");
        }
        return readable;
    }

    private static IEnumerable<string> ImageFiles(string folder, EnumerationOptions options) =>
        Directory.EnumerateFiles(folder, "*", options)
                 .Where(path => Extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase));

    /// <summary>Null when stb reads a plausible header (size and format); a reason otherwise.</summary>
    private static string? HeaderProblem(string path)
    {
        try
        {
            using var stream = new EndClampedStream(File.OpenRead(path));
            ImageInfo? info = ImageInfo.FromStream(stream);
            if (info is null) return "not a JPEG, PNG or BMP image (unrecognised header)";
            if (info.Value.Width <= 0 || info.Value.Height <= 0) return $"invalid size {info.Value.Width}×{info.Value.Height}";
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return Reason(e);
        }
    }
}
