using RawGan.Eval;
using RawGan.IO;

namespace RawGan.Tests.Eval;

/// <summary>
/// The FID Inception's golden weights, computed rather than stored (95 MB): the twin of formula_weights in
/// tools/golden/make_inception_golden.py. Element i of tensor <c>name</c> draws u = splitmix64(fnv1a64(name) +
/// (i + 1)·0x9E3779B97F4A7C15) &gt;&gt; 40, over 2^24 (exact in float64), and maps it by the tensor's role, in
/// float64 rounded once to float32: the same IEEE operations on both sides give the same bits.
/// </summary>
internal static class InceptionFormulaWeights
{
    /// <summary>The formula's state_dict as safetensors entries (the BatchNorm counters left out, as eval ignores them).</summary>
    public static List<SafeTensorEntry> Entries() =>
        new InceptionV3().StateDict()
            .Where(e => !e.Name.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
            .Select(e => SafeTensorEntry.FromValues<float>(e.Name, e.Value.Shape.ToArray(), Values(e.Name, e.Value.Shape.ToArray())))
            .ToList();

    private static float[] Values(string name, int[] shape)
    {
        long n = shape.Aggregate(1L, (p, d) => p * d);
        ulong seed = Fnv1a64(name);
        var v = new float[n];
        for (long i = 0; i < n; i++)
        {
            double u = Uniform(seed, i);
            v[i] = (float)(name switch
            {
                _ when name.EndsWith("conv.weight", StringComparison.Ordinal) => (2 * u - 1) * Math.Sqrt(6.0 / (shape[1] * shape[2] * shape[3])),
                _ when name.EndsWith("bn.weight", StringComparison.Ordinal) || name.EndsWith("running_var", StringComparison.Ordinal) => 0.8 + 0.4 * u,
                _ when name.EndsWith("bn.bias", StringComparison.Ordinal) || name.EndsWith("running_mean", StringComparison.Ordinal) => 0.2 * u - 0.1,
                "fc.weight" => (2 * u - 1) * Math.Sqrt(3.0 / shape[1]),
                "fc.bias" => 0.2 * u - 0.1,
                _ => throw new KeyNotFoundException(name),
            });
        }
        return v;
    }

    private static ulong Fnv1a64(string text)
    {
        ulong h = 0xCBF29CE484222325;
        foreach (byte b in System.Text.Encoding.UTF8.GetBytes(text)) h = (h ^ b) * 0x100000001B3;
        return h;
    }

    private static double Uniform(ulong seed, long i)
    {
        ulong z = seed + (ulong)(i + 1) * 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        z ^= z >> 31;
        return (z >> 40) / (double)(1 << 24);
    }
}
