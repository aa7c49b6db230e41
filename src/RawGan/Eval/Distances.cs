namespace RawGan.Eval;

/// <summary>Euclidean distances between the rows of two matrices, a block of rows at a time so that
/// 10,000 × 10,000 distances never sit in memory together.</summary>
internal static class Distances
{
    private const int BlockRows = 512;

    /// <summary>Calls <paramref name="visit"/>(i, distances from a's row i to every row of b) for each row of a,
    /// rows in parallel. Distances come from ‖a‖² + ‖b‖² - 2a·b, clamped at 0.</summary>
    public static void ForEachRow(double[,] a, double[,] b, Action<int, double[]> visit)
    {
        double[] normsB = SquaredNorms(b);
        for (int start = 0; start < a.GetLength(0); start += BlockRows)
        {
            int rows = Math.Min(BlockRows, a.GetLength(0) - start);
            double[,] block = Matrix.SelectRows(a, Enumerable.Range(start, rows).ToArray());
            double[,] dots = Matrix.MultiplyTransposed(block, b);
            double[] normsA = SquaredNorms(block);
            Parallel.For(0, rows, i =>
            {
                var d = new double[normsB.Length];
                for (int j = 0; j < d.Length; j++) d[j] = Math.Sqrt(Math.Max(normsA[i] + normsB[j] - 2 * dots[i, j], 0));
                visit(start + i, d);
            });
        }
    }

    /// <summary>For each row of a, the index and distance of its nearest row of b.</summary>
    public static (int[] Index, double[] Distance) Nearest(double[,] a, double[,] b)
    {
        var index = new int[a.GetLength(0)];
        var distance = new double[a.GetLength(0)];
        ForEachRow(a, b, (i, d) =>
        {
            int best = 0;
            for (int j = 1; j < d.Length; j++) if (d[j] < d[best]) best = j;
            (index[i], distance[i]) = (best, d[best]);
        });
        return (index, distance);
    }

    /// <summary>For each row of a, the distance to its k-th nearest other row of a (itself excluded).</summary>
    public static double[] KthNeighbourWithin(double[,] a, int k)
    {
        if (a.GetLength(0) <= k) throw new ArgumentException($"The {k}-th nearest neighbour needs more than {k} feature vectors, got {a.GetLength(0)}.");
        var radius = new double[a.GetLength(0)];
        ForEachRow(a, a, (i, d) =>
        {
            d[i] = double.PositiveInfinity;
            Array.Sort(d);
            radius[i] = d[k - 1];
        });
        return radius;
    }

    public static double[,] ToMatrix(ReadOnlySpan<float> values, int rows)
    {
        int columns = values.Length / rows;
        var m = new double[rows, columns];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++) m[i, j] = values[i * columns + j];
        return m;
    }

    private static double[] SquaredNorms(double[,] m)
    {
        var norms = new double[m.GetLength(0)];
        for (int i = 0; i < norms.Length; i++) norms[i] = Matrix.Dot(Matrix.Row(m, i), Matrix.Row(m, i));
        return norms;
    }
}
