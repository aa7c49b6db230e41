using Microsoft.AspNetCore.Http;
using System.IO.Compression;
using RawGan.Cli.Commands;
using RawGan.IO;

namespace RawGan.Cli.Serve;

/// <summary>How /generate returns its images. PNGs are byte for byte the files `rawgan sample` writes for the same
/// seed: png is its sample-0000.png, grid its grid.png, zip its sample-NNNN.png files.</summary>
internal enum ImageFormat { Png, Grid, Zip, Npy }

internal static class ImageFormats
{
    public static bool TryParse(string text, out ImageFormat format)
    {
        (bool ok, format) = text switch
        {
            "png" => (true, ImageFormat.Png),
            "grid" => (true, ImageFormat.Grid),
            "zip" => (true, ImageFormat.Zip),
            "npy" => (true, ImageFormat.Npy),
            _ => (false, default),
        };
        return ok;
    }

    /// <summary>The response body for <paramref name="count"/> images [N, C, H, W] of <paramref name="model"/>.</summary>
    public static IResult Encode(ImageFormat format, float[] images, int count, ServedModel model, int? label)
    {
        int c = model.Info.Channels, s = model.Info.ImageSize, per = model.ImageFloats;
        switch (format)
        {
            case ImageFormat.Png:
                return Results.Bytes(ImageGrid.EncodePng(images, 1, c, s, s), "image/png");
            case ImageFormat.Grid:
                int columns = SampleCommand.GridColumns(model.Generator.IsConditional, label, model.Info.Classes);
                return Results.Bytes(ImageGrid.EncodePng(images, count, c, s, s, columns), "image/png");
            case ImageFormat.Npy:
                return Results.Bytes(Npy.Encode(images, count, c, s, s), "application/octet-stream", "images.npy");
            default:
                var zip = new MemoryStream();
                using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
                    for (int i = 0; i < count; i++)
                    {
                        using Stream entry = archive.CreateEntry($"sample-{i:D4}.png", CompressionLevel.NoCompression).Open();
                        entry.Write(ImageGrid.EncodePng(images.AsSpan(i * per, per), 1, c, s, s));
                    }
                return Results.Bytes(zip.ToArray(), "application/zip", "samples.zip");
        }
    }
}
