using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Gan;

/// <summary>
/// Differentiable augmentation (Zhao et al. 2020, DiffAugment) of every batch on its way into D, real and generated
/// alike, so G learns through it: color (brightness ±0.5, saturation ×[0, 2], contrast ×[0.5, 1.5]), translation
/// (up to 1/8 of the size, zero fill) and cutout (a square of half the size set to 0), each applied to an image with
/// probability <see cref="GanConfig.DiffAugmentProbability"/> (1 in the paper). Every random number is drawn on the
/// host from one Philox generator whose offset the checkpoint keeps, so a CPU and a GPU run draw the same and a resumed
/// run goes on exactly. Translation and cutout are a gather of pixels and a mask, color is per-image affine maps; with
/// probability 0 each is the identity to the bit (x·1 + 0, a gather of every pixel in place, a mask of ones).
/// </summary>
public sealed class DiffAugment
{
    /// <summary>The policy names <see cref="GanConfig.DiffAugment"/> accepts.</summary>
    public static readonly string[] Policies = ["color", "translation", "cutout"];

    private readonly string[] _policies;
    private readonly double _p;

    public DiffAugment(string policies, double probability, Generator rng)
    {
        _policies = Parse(policies);
        _p = probability;
        Rng = rng;
    }

    public Generator Rng { get; }

    /// <summary>The policies named in <paramref name="policies"/> (comma-separated, "" for none); an unknown name is an
    /// error naming --diff-augment.</summary>
    public static string[] Parse(string policies)
    {
        string[] names = policies.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (string n in names)
            if (!Policies.Contains(n)) throw new ArgumentException($"--diff-augment: '{n}' is not a policy; use {string.Join(", ", Policies)}, comma-separated.");
        return names;
    }

    /// <summary>Images [N, C, H, W] augmented (a new draw per call).</summary>
    public Tensor Apply(Tensor x)
    {
        foreach (string policy in _policies)
            x = policy switch { "color" => Color(x), "translation" => Translation(x), _ => Cutout(x) };
        return x;
    }

    private bool Chosen() => Rng.NextUniform() < _p;

    // Each of the three is x·s + (1 - s)·m with m a per-image statistic: brightness (s 1, shift), saturation (m the
    // channel mean), contrast (m the image mean).
    private Tensor Color(Tensor x)
    {
        int n = x.Shape[0], c = x.Shape[1], hw = x.Shape[2] * x.Shape[3];
        Tensor brightness = PerImage(n, () => Rng.NextUniform() - 0.5, 0, x);
        x = x + brightness;
        Tensor saturation = PerImage(n, () => Rng.NextUniform() * 2, 1, x);
        Tensor channelMean = F.SumTo(x, new Shape(n, 1, x.Shape[2], x.Shape[3])) / c;
        x = x * saturation + channelMean * (-saturation + 1.0);
        Tensor contrast = PerImage(n, () => Rng.NextUniform() + 0.5, 1, x);
        Tensor mean = F.SumTo(x, new Shape(n, 1, 1, 1)) / (c * hw);
        return x * contrast + mean * (-contrast + 1.0);
    }

    private Tensor Translation(Tensor x)
    {
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        int sh = (int)(h * 0.125 + 0.5), sw = (int)(w * 0.125 + 0.5);
        var index = new int[x.Numel];
        int zero = (int)x.Numel; // the row of zeros appended below
        for (int i = 0; i < n; i++)
        {
            bool on = Chosen();
            int ty = Rng.NextInt(2 * sh + 1) - sh, tx = Rng.NextInt(2 * sw + 1) - sw;
            if (!on) (ty, tx) = (0, 0);
            for (int ch = 0; ch < c; ch++)
            for (int y = 0; y < h; y++)
            for (int xx = 0; xx < w; xx++)
            {
                int sy = y + ty, sx = xx + tx, o = ((i * c + ch) * h + y) * w + xx;
                index[o] = sy >= 0 && sy < h && sx >= 0 && sx < w ? ((i * c + ch) * h + sy) * w + sx : zero;
            }
        }
        Tensor rows = F.Concat([F.Reshape(x, zero, 1), Tensor.Zeros(new Shape(1, 1), x.DType, x.Backend)], axis: 0);
        Tensor indices = Tensor.FromSpan<int>(index, new Shape(index.Length), DType.Int32, x.Backend);
        return F.Reshape(F.Embedding(indices, rows), x.Shape.ToArray());
    }

    private Tensor Cutout(Tensor x)
    {
        int n = x.Shape[0], h = x.Shape[2], w = x.Shape[3];
        int ch = (int)(h * 0.5 + 0.5), cw = (int)(w * 0.5 + 0.5);
        var mask = new double[n * h * w];
        Array.Fill(mask, 1.0);
        for (int i = 0; i < n; i++)
        {
            bool on = Chosen();
            int oy = Rng.NextInt(h + 1 - ch % 2), ox = Rng.NextInt(w + 1 - cw % 2);
            if (!on) continue;
            for (int y = Math.Max(0, oy - ch / 2); y < Math.Min(h, oy - ch / 2 + ch); y++)
            for (int xx = Math.Max(0, ox - cw / 2); xx < Math.Min(w, ox - cw / 2 + cw); xx++)
                mask[(i * h + y) * w + xx] = 0;
        }
        return x * Host(mask, new Shape(n, 1, h, w), x);
    }

    /// <summary>A factor per image [N, 1, 1, 1]: a draw where the image is chosen, <paramref name="identity"/> where not.</summary>
    private Tensor PerImage(int n, Func<double> draw, double identity, Tensor like)
    {
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            bool on = Chosen();
            double d = draw();
            v[i] = on ? d : identity;
        }
        return Host(v, new Shape(n, 1, 1, 1), like);
    }

    /// <summary>Host values as a tensor of <paramref name="like"/>'s dtype on its device.</summary>
    private static Tensor Host(double[] values, Shape shape, Tensor like) => like.DType == DType.Float64
        ? Tensor.FromSpan<double>(values, shape, DType.Float64, like.Backend)
        : Tensor.FromSpan<float>(Array.ConvertAll(values, v => (float)v), shape, DType.Float32, like.Backend);
}
