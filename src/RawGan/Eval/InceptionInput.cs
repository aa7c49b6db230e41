using System.Text.Json.Serialization;
using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Eval;

/// <summary>How images become Inception's 299×299 input, named as the field names the two ways.</summary>
public enum InceptionResize
{
    /// <summary>pytorch-fid: pixels/255, bilinear resize without antialiasing (align_corners false), then 2x - 1.</summary>
    [JsonStringEnumMemberName("legacy")] Legacy,

    /// <summary>clean-fid: PIL's antialiased bicubic resize of each channel of the 8-bit image (in float, mode 'F'),
    /// clipped to [0, 255], then (x - 128)/128 as the TensorFlow graph's own input layer.</summary>
    [JsonStringEnumMemberName("clean")] Clean,
}

/// <summary>
/// The preprocessing in front of <see cref="InceptionV3"/>. Both modes start from the 8-bit image a PNG of the
/// sample would hold (RawGan's images are in [-1, 1]; <see cref="ToBytes"/> rounds as the PNG writer does), so FID
/// from RawGan's samples equals FID from their saved files. Grayscale images are repeated to three channels; any
/// size is resized. Resizing is <see cref="F.Interpolate"/> on the device: both filters are fixed linear maps, PIL's
/// included, so "clean" needs no host-side image library (PIL sums in float64 where the GEMM sums in float32: the
/// results differ by float32 rounding, about 1e-6 of the pixel range).
/// </summary>
public static class InceptionInput
{
    /// <summary>The 8-bit values 0…255 (as floats) of images in [-1, 1], rounded as RawGan's PNG writer rounds.</summary>
    public static float[] ToBytes(ReadOnlySpan<float> images)
    {
        var bytes = new float[images.Length];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = IO.ImageGrid.ToByte(images[i]);
        return bytes;
    }

    /// <summary>Inception's input [N, 3, 299, 299] from 8-bit images [N, C, H, W] (C = 1 or 3, values 0…255 as floats).</summary>
    public static Tensor Prepare(Tensor bytes, InceptionResize mode)
    {
        if (bytes.Rank != 4 || bytes.Shape[1] is not (1 or 3))
            throw new ArgumentException($"Inception's input must be images [N, 1 or 3, H, W], got {bytes.Shape}.");
        Tensor x = bytes.Shape[1] == 1 ? F.Concat([bytes, bytes, bytes]) : bytes;
        const int s = InceptionV3.ImageSize;
        return mode switch
        {
            InceptionResize.Legacy => F.AddScalar(F.Scale(F.Interpolate(F.Scale(x, 1.0 / 255), s, s), 2), -1),
            _ => F.Scale(F.AddScalar(Clip(F.Interpolate(x, s, s, InterpolationMode.Bicubic, antialias: true)), -128), 1.0 / 128),
        };
    }

    /// <summary>min(max(x, 0), 255) from ReLUs: 255 - relu(255 - relu(x)).</summary>
    private static Tensor Clip(Tensor x) => F.AddScalar(F.Neg(F.Relu(F.AddScalar(F.Neg(F.Relu(x)), 255))), 255);
}
