namespace RawGan.Eval;

/// <summary>
/// Improved precision and recall (Kynkäänniemi et al. 2019). Each set's manifold is the union of balls around its
/// feature vectors, each reaching to the vector's k-th nearest neighbour in its own set (k = 3 in the paper).
/// Precision is the fraction of generated vectors inside the real manifold (are the samples realistic?); recall
/// the fraction of real vectors inside the generated manifold (is the data's variety covered?).
/// </summary>
public static class PrecisionRecall
{
    public static (double Precision, double Recall) Compute(double[,] real, double[,] generated, int k = 3) =>
        (Coverage(real, generated, k), Coverage(generated, real, k));

    /// <summary>The fraction of <paramref name="queries"/> within some ball of <paramref name="manifold"/>.</summary>
    private static double Coverage(double[,] manifold, double[,] queries, int k)
    {
        double[] radius = Distances.KthNeighbourWithin(manifold, k);
        int inside = 0;
        Distances.ForEachRow(queries, manifold, (_, d) =>
        {
            for (int j = 0; j < d.Length; j++)
                if (d[j] <= radius[j])
                {
                    Interlocked.Increment(ref inside);
                    return;
                }
        });
        return inside / (double)queries.GetLength(0);
    }
}
