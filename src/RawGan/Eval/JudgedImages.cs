using RawGan.Autograd;
using RawGan.Tensors;

namespace RawGan.Eval;

/// <summary>What a feature network made of N images: <paramref name="Features"/> [N, D] and class
/// <paramref name="Probabilities"/> [N, C] (each row sums to 1), in float64 for the statistics built on them.</summary>
public sealed record JudgedImages(double[,] Features, double[,] Probabilities)
{
    public int Count => Features.GetLength(0);

    /// <summary>One batch through a feature network: its features [n, D] and logits [n, C] for <paramref name="n"/>
    /// images whose values are <paramref name="pixels"/>.</summary>
    public delegate (Tensor Features, Tensor Logits) Network(ReadOnlySpan<float> pixels, int n);

    /// <summary>
    /// Runs the images in <paramref name="images"/> (<paramref name="valuesPerImage"/> values each) through
    /// <paramref name="network"/> in batches of <paramref name="batchSize"/> without recording gradients, reading each
    /// batch's features and logits back once and keeping them in float64 (the logits as their softmax). Each batch's
    /// intermediates return to the device's pool before the next; <paramref name="progress"/> hears the images done.
    /// </summary>
    public static JudgedImages Collect(ReadOnlySpan<float> images, int valuesPerImage, int batchSize, int featureSize, int classCount,
                                       Network network, Action<int>? progress = null)
    {
        int count = images.Length / valuesPerImage;
        var features = new double[count, featureSize];
        var probabilities = new double[count, classCount];
        using IDisposable noGrad = GradMode.NoGrad();
        for (int start = 0; start < count; start += batchSize)
        {
            int n = Math.Min(batchSize, count - start);
            using var scope = new TensorScope();
            (Tensor f, Tensor l) = network(images.Slice(start * valuesPerImage, n * valuesPerImage), n);
            float[] hidden = f.ToFloatArray(), logits = l.ToFloatArray();
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < featureSize; j++) features[start + i, j] = hidden[i * featureSize + j];
                Softmax(logits.AsSpan(i * classCount, classCount), probabilities, start + i);
            }
            progress?.Invoke(start + n);
        }
        return new JudgedImages(features, probabilities);
    }

    /// <summary>The images of <paramref name="parts"/> one after another (batches judged separately, e.g. read from
    /// disk a batch at a time).</summary>
    public static JudgedImages Concat(IReadOnlyList<JudgedImages> parts)
    {
        if (parts.Count == 0) throw new ArgumentException("Nothing to concatenate: no judged images.");
        int count = parts.Sum(p => p.Count), featureSize = parts[0].Features.GetLength(1), classCount = parts[0].Probabilities.GetLength(1);
        var features = new double[count, featureSize];
        var probabilities = new double[count, classCount];
        int row = 0;
        foreach (JudgedImages p in parts)
        {
            if (p.Features.GetLength(1) != featureSize || p.Probabilities.GetLength(1) != classCount)
                throw new ArgumentException($"Cannot concatenate judged images of {featureSize} features and {classCount} classes with ones of " +
                                            $"{p.Features.GetLength(1)} and {p.Probabilities.GetLength(1)}.");
            Array.Copy(p.Features, 0, features, row * featureSize, p.Count * featureSize);
            Array.Copy(p.Probabilities, 0, probabilities, row * classCount, p.Count * classCount);
            row += p.Count;
        }
        return new JudgedImages(features, probabilities);
    }

    /// <summary>Row <paramref name="row"/> of <paramref name="probabilities"/>: the softmax of <paramref name="logits"/>, in float64.</summary>
    internal static void Softmax(ReadOnlySpan<float> logits, double[,] probabilities, int row)
    {
        double max = double.NegativeInfinity, sum = 0;
        foreach (float z in logits) max = Math.Max(max, z);
        for (int k = 0; k < logits.Length; k++) sum += probabilities[row, k] = Math.Exp(logits[k] - max);
        for (int k = 0; k < logits.Length; k++) probabilities[row, k] /= sum;
    }

    /// <summary>The most probable class of image <paramref name="i"/>.</summary>
    public int Predicted(int i) => Predicted(Probabilities, i);

    /// <summary>The most probable class in row <paramref name="i"/> of <paramref name="probabilities"/>.</summary>
    public static int Predicted(double[,] probabilities, int i)
    {
        int best = 0;
        for (int k = 1; k < probabilities.GetLength(1); k++)
            if (probabilities[i, k] > probabilities[i, best]) best = k;
        return best;
    }
}
