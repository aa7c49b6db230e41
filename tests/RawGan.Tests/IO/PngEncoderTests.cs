using RawGan.IO;
using StbImageSharp;

namespace RawGan.Tests.IO;

public class PngEncoderTests
{
    [Theory]
    [InlineData(1, ColorComponents.Grey)]
    [InlineData(3, ColorComponents.RedGreenBlue)]
    public void A_decoder_reads_back_every_pixel(int channels, ColorComponents kind)
    {
        // Smooth ramps, noise, flat runs and jumps of 128 (a filtered byte of -128), so every row filter wins somewhere.
        const int width = 37, height = 23;
        var rng = new Random(4);
        var pixels = new byte[width * height * channels];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width * channels; x++)
                pixels[y * width * channels + x] = (byte)(y % 4 == 0 ? x * 7 + y : y % 4 == 1 ? rng.Next(256) : y % 4 == 2 ? 200 : x % 2 * 128);

        ImageResult png = ImageResult.FromMemory(PngEncoder.Encode(pixels, width, height, channels), ColorComponents.Default);

        Assert.Equal((width, height, kind), (png.Width, png.Height, png.SourceComp));
        Assert.Equal(pixels, png.Data);
    }

    [Fact]
    public void Crc_is_the_iso_3309_crc32()
    {
        Assert.Equal(0xCBF43926u, PngEncoder.Crc(0xFFFFFFFFu, "123456789"u8) ^ 0xFFFFFFFFu);
    }

    [Fact]
    public void Wrong_sizes_are_refused()
    {
        Assert.Throws<ArgumentException>(() => PngEncoder.Encode(new byte[5], 2, 2, 1));
        Assert.Throws<ArgumentException>(() => PngEncoder.Encode(new byte[8], 2, 2, 2));
    }
}
