using RawGan.IO;

namespace RawGan.Eval;

/// <summary>
/// Whether a generator copies its training set, the risk with small data sets: for each sample its nearest training
/// image in pixel space and in feature space, compared with the training set's own spacing (the smallest distance
/// between two training images). A sample closer to a training image than any two training images are to each
/// other is counted as a likely copy.
/// </summary>
public sealed record MemorisationReport(
    int[] NearestInPixels, double[] PixelDistance, double TrainingPixelSpacing,
    int[] NearestInFeatures, double[] FeatureDistance, double TrainingFeatureSpacing)
{
    public int Samples => PixelDistance.Length;

    /// <summary>Samples nearer a training image, in pixels, than the two nearest training images are to each other.</summary>
    public int CloserInPixels => PixelDistance.Count(d => d < TrainingPixelSpacing);

    /// <summary>The same count in feature space.</summary>
    public int CloserInFeatures => FeatureDistance.Count(d => d < TrainingFeatureSpacing);

    /// <summary>One line a user can act on.</summary>
    public string Summary =>
        $"{CloserInPixels} of {Samples} samples are closer to a training image than any two training images are to each other " +
        $"in pixel space ({CloserInFeatures} in feature space)";

    /// <summary>
    /// Checks samples against the training set. Pixel arrays are [N, C·H·W] in one value range (RawGan's [-1, 1]),
    /// feature arrays [N, D] from one feature network; the training set needs at least 2 images.
    /// </summary>
    public static MemorisationReport Check(double[,] samplePixels, double[,] trainingPixels, double[,] sampleFeatures, double[,] trainingFeatures)
    {
        (int[] pixelIndex, double[] pixelDistance) = Distances.Nearest(samplePixels, trainingPixels);
        (int[] featureIndex, double[] featureDistance) = Distances.Nearest(sampleFeatures, trainingFeatures);
        return new MemorisationReport(
            pixelIndex, pixelDistance, Distances.KthNeighbourWithin(trainingPixels, 1).Min(),
            featureIndex, featureDistance, Distances.KthNeighbourWithin(trainingFeatures, 1).Min());
    }

    /// <summary>
    /// The same check from images as stored (one after another, each <c>C·H·W</c> values in one range) and their
    /// features, against the first <paramref name="limit"/> training images only: the training set's own spacing
    /// costs the square of their number.
    /// </summary>
    public static MemorisationReport Check(ReadOnlySpan<float> samplePixels, double[,] sampleFeatures,
                                           ReadOnlySpan<float> trainingPixels, double[,] trainingFeatures, int limit)
    {
        int n = sampleFeatures.GetLength(0), r = trainingFeatures.GetLength(0), m = Math.Min(limit, r), size = trainingPixels.Length / r;
        return Check(Distances.ToMatrix(samplePixels, n), Distances.ToMatrix(trainingPixels[..(m * size)], m),
                     sampleFeatures, Matrix.SelectRows(trainingFeatures, Enumerable.Range(0, m).ToArray()));
    }

    /// <summary><see cref="SavePairs(string, double[,], double[,], int, int, int, int)"/> from the images as stored,
    /// the ones this report was checked on.</summary>
    public void SavePairs(string path, ReadOnlySpan<float> samplePixels, ReadOnlySpan<float> trainingPixels, int channels, int height, int width)
    {
        int size = channels * height * width, rows = NearestInPixels.Max() + 1; // only the training images a pair can show
        SavePairs(path, Distances.ToMatrix(samplePixels, samplePixels.Length / size), Distances.ToMatrix(trainingPixels[..(rows * size)], rows),
                  channels, height, width);
    }

    /// <summary>Writes a PNG of the <paramref name="pairs"/> samples nearest the training set in pixels, each beside its
    /// nearest training image (two columns: sample, training image), closest first.</summary>
    public void SavePairs(string path, double[,] samplePixels, double[,] trainingPixels, int channels, int height, int width, int pairs = 16)
    {
        int[] closest = Enumerable.Range(0, Samples).OrderBy(i => PixelDistance[i]).Take(pairs).ToArray();
        int size = channels * height * width;
        var grid = new float[closest.Length * 2 * size];
        for (int p = 0; p < closest.Length; p++)
            for (int j = 0; j < size; j++)
            {
                grid[(2 * p) * size + j] = (float)samplePixels[closest[p], j];
                grid[(2 * p + 1) * size + j] = (float)trainingPixels[NearestInPixels[closest[p]], j];
            }
        ImageGrid.Save(path, grid, closest.Length * 2, channels, height, width, nrow: 2);
    }
}
