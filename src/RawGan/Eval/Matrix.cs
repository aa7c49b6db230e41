namespace RawGan.Eval;

/// <summary>The float64 matrix arithmetic the metrics need, on row-major <c>double[,]</c>: products with a
/// contiguous inner loop, rows in parallel. Metrics sizes (2,048 features, a few thousand images) need no more.</summary>
internal static class Matrix
{
    /// <summary>a·bᵀ for a [m, k] and b [n, k]: every dot product of a row of a with a row of b.</summary>
    public static double[,] MultiplyTransposed(double[,] a, double[,] b)
    {
        int m = a.GetLength(0), n = b.GetLength(0), k = a.GetLength(1);
        if (b.GetLength(1) != k) throw new ArgumentException($"Rows of {k} and {b.GetLength(1)} values have no dot product.");
        var c = new double[m, n];
        Parallel.For(0, m, i =>
        {
            ReadOnlySpan<double> row = Row(a, i);
            for (int j = 0; j < n; j++) c[i, j] = Dot(row, Row(b, j));
        });
        return c;
    }

    /// <summary>a·b for a [m, k] and b [k, n].</summary>
    public static double[,] Multiply(double[,] a, double[,] b) => MultiplyTransposed(a, Transpose(b));

    public static double[,] Transpose(double[,] a)
    {
        int m = a.GetLength(0), n = a.GetLength(1);
        var t = new double[n, m];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) t[j, i] = a[i, j];
        return t;
    }

    /// <summary>Row <paramref name="i"/> of a row-major matrix, without a copy.</summary>
    public static ReadOnlySpan<double> Row(double[,] a, int i) =>
        System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(ref a[i, 0], a.GetLength(1));

    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var sum = System.Numerics.Vector<double>.Zero;
        int w = System.Numerics.Vector<double>.Count, i = 0;
        for (; i + w <= x.Length; i += w) sum += new System.Numerics.Vector<double>(x[i..]) * new System.Numerics.Vector<double>(y[i..]);
        double total = System.Numerics.Vector.Sum(sum);
        for (; i < x.Length; i++) total += x[i] * y[i];
        return total;
    }

    /// <summary>The rows of <paramref name="a"/> listed in <paramref name="rows"/>, as a new matrix.</summary>
    public static double[,] SelectRows(double[,] a, IReadOnlyList<int> rows)
    {
        int d = a.GetLength(1);
        var s = new double[rows.Count, d];
        for (int i = 0; i < rows.Count; i++)
            for (int j = 0; j < d; j++) s[i, j] = a[rows[i], j];
        return s;
    }
}
