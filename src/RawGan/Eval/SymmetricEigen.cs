namespace RawGan.Eval;

/// <summary>
/// Eigen-decomposition of a real symmetric matrix in float64: Householder reduction to tridiagonal form, then the
/// implicit QL algorithm (EISPACK's tred2 and tql2, as JAMA and NumPy's LAPACK route compute it). A = V·diag(λ)·Vᵀ.
/// </summary>
public static class SymmetricEigen
{
    /// <summary>The eigenvalues of symmetric <paramref name="a"/> (n×n, only read), ascending, and the matching
    /// unit eigenvectors as the rows of <c>Vectors</c> (Vectors[i] belongs to Values[i]).</summary>
    public static (double[] Values, double[][] Vectors) Decompose(double[,] a)
    {
        int n = a.GetLength(0);
        if (a.GetLength(1) != n) throw new ArgumentException($"Eigen-decomposition needs a square matrix, got {n}×{a.GetLength(1)}.");
        var v = new double[n][];
        for (int i = 0; i < n; i++)
        {
            v[i] = new double[n];
            for (int j = 0; j < n; j++) v[i][j] = a[i, j];
        }
        var d = new double[n];
        var e = new double[n];
        if (n > 0)
        {
            Tridiagonalise(v, d, e);
            double[][] vt = Transpose(v);
            QlImplicit(vt, d, e);
            Sort(d, vt);
            return (d, vt);
        }
        return (d, v);
    }

    // tred2: v holds A on entry and the orthogonal reduction on exit; d the diagonal, e the subdiagonal (e[0] = 0).
    private static void Tridiagonalise(double[][] v, double[] d, double[] e)
    {
        int n = d.Length;
        for (int j = 0; j < n; j++) d[j] = v[n - 1][j];
        for (int i = n - 1; i > 0; i--)
        {
            double scale = 0, h = 0;
            for (int k = 0; k < i; k++) scale += Math.Abs(d[k]);
            if (scale == 0)
            {
                e[i] = d[i - 1];
                for (int j = 0; j < i; j++)
                {
                    d[j] = v[i - 1][j];
                    v[i][j] = 0;
                    v[j][i] = 0;
                }
            }
            else
            {
                for (int k = 0; k < i; k++)
                {
                    d[k] /= scale;
                    h += d[k] * d[k];
                }
                double f = d[i - 1];
                double g = f > 0 ? -Math.Sqrt(h) : Math.Sqrt(h);
                e[i] = scale * g;
                h -= f * g;
                d[i - 1] = f - g;
                for (int j = 0; j < i; j++) e[j] = 0;
                for (int j = 0; j < i; j++)
                {
                    f = d[j];
                    v[j][i] = f;
                    g = e[j] + v[j][j] * f;
                    for (int k = j + 1; k <= i - 1; k++)
                    {
                        g += v[k][j] * d[k];
                        e[k] += v[k][j] * f;
                    }
                    e[j] = g;
                }
                f = 0;
                for (int j = 0; j < i; j++)
                {
                    e[j] /= h;
                    f += e[j] * d[j];
                }
                double hh = f / (h + h);
                for (int j = 0; j < i; j++) e[j] -= hh * d[j];
                for (int j = 0; j < i; j++)
                {
                    f = d[j];
                    g = e[j];
                    for (int k = j; k <= i - 1; k++) v[k][j] -= f * e[k] + g * d[k];
                    d[j] = v[i - 1][j];
                    v[i][j] = 0;
                }
            }
            d[i] = h;
        }
        for (int i = 0; i < n - 1; i++)
        {
            v[n - 1][i] = v[i][i];
            v[i][i] = 1;
            double h = d[i + 1];
            if (h != 0)
            {
                for (int k = 0; k <= i; k++) d[k] = v[k][i + 1] / h;
                for (int j = 0; j <= i; j++)
                {
                    double g = 0;
                    for (int k = 0; k <= i; k++) g += v[k][i + 1] * v[k][j];
                    for (int k = 0; k <= i; k++) v[k][j] -= g * d[k];
                }
            }
            for (int k = 0; k <= i; k++) v[k][i + 1] = 0;
        }
        for (int j = 0; j < n; j++)
        {
            d[j] = v[n - 1][j];
            v[n - 1][j] = 0;
        }
        v[n - 1][n - 1] = 1;
        e[0] = 0;
    }

    // tql2 on the tridiagonal (d, e), rotating the rows of vt (the reduction's columns, so each rotation touches
    // two contiguous rows rather than two strided columns).
    private static void QlImplicit(double[][] vt, double[] d, double[] e)
    {
        int n = d.Length;
        for (int i = 1; i < n; i++) e[i - 1] = e[i];
        e[n - 1] = 0;
        double f = 0, tst1 = 0;
        const double Eps = 2.220446049250313e-16;
        for (int l = 0; l < n; l++)
        {
            tst1 = Math.Max(tst1, Math.Abs(d[l]) + Math.Abs(e[l]));
            int m = l;
            while (m < n && Math.Abs(e[m]) > Eps * tst1) m++;
            if (m > l)
            {
                int iterations = 0;
                do
                {
                    if (++iterations > 100) throw new ArithmeticException("The symmetric eigen-decomposition did not converge (a NaN or infinity in the matrix?).");
                    double g = d[l];
                    double p = (d[l + 1] - g) / (2 * e[l]);
                    double r = Hypot(p, 1);
                    if (p < 0) r = -r;
                    d[l] = e[l] / (p + r);
                    d[l + 1] = e[l] * (p + r);
                    double dl1 = d[l + 1];
                    double h = g - d[l];
                    for (int i = l + 2; i < n; i++) d[i] -= h;
                    f += h;
                    p = d[m];
                    double c = 1, c2 = 1, c3 = 1, el1 = e[l + 1], s = 0, s2 = 0;
                    for (int i = m - 1; i >= l; i--)
                    {
                        c3 = c2;
                        c2 = c;
                        s2 = s;
                        g = c * e[i];
                        h = c * p;
                        r = Hypot(p, e[i]);
                        e[i + 1] = s * r;
                        s = e[i] / r;
                        c = p / r;
                        p = c * d[i] - s * g;
                        d[i + 1] = h + s * (c * g + s * d[i]);
                        Rotate(vt[i], vt[i + 1], c, s);
                    }
                    p = -s * s2 * c3 * el1 * e[l] / dl1;
                    e[l] = s * p;
                    d[l] = c * p;
                } while (Math.Abs(e[l]) > Eps * tst1);
            }
            d[l] += f;
            e[l] = 0;
        }
    }

    private static void Rotate(double[] a, double[] b, double c, double s)
    {
        for (int k = 0; k < a.Length; k++)
        {
            double h = b[k];
            b[k] = s * a[k] + c * h;
            a[k] = c * a[k] - s * h;
        }
    }

    private static double Hypot(double a, double b)
    {
        (a, b) = (Math.Abs(a), Math.Abs(b));
        if (a < b) (a, b) = (b, a);
        if (a == 0) return 0;
        double r = b / a;
        return a * Math.Sqrt(1 + r * r);
    }

    private static double[][] Transpose(double[][] v)
    {
        int n = v.Length;
        var t = new double[n][];
        for (int i = 0; i < n; i++)
        {
            t[i] = new double[n];
            for (int j = 0; j < n; j++) t[i][j] = v[j][i];
        }
        return t;
    }

    private static void Sort(double[] values, double[][] vectors)
    {
        int[] order = Enumerable.Range(0, values.Length).OrderBy(i => values[i]).ToArray();
        double[] sortedValues = order.Select(i => values[i]).ToArray();
        double[][] sortedVectors = order.Select(i => vectors[i]).ToArray();
        sortedValues.CopyTo(values, 0);
        sortedVectors.CopyTo(vectors, 0);
    }
}
