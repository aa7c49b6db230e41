namespace RawGan.Eval;

/// <summary>
/// Inception Score (Salimans et al. 2016): exp(E_x KL(p(y|x) ‖ p(y))) from class probabilities, computed on
/// a number of consecutive parts (10 by default; part k holds images k·N/splits up to (k+1)·N/splits, as the original code
/// splits) and reported as the mean and standard deviation over the parts. High when each image is confidently one
/// class and the classes are used evenly.
/// </summary>
public static class InceptionScore
{
    public static (double Mean, double Std) Compute(double[,] probabilities, int splits = 10)
    {
        int n = probabilities.GetLength(0), c = probabilities.GetLength(1);
        if (n < splits) throw new ArgumentException($"The Inception Score over {splits} splits needs at least {splits} images, got {n}.");
        var scores = new double[splits];
        for (int k = 0; k < splits; k++)
        {
            int start = (int)((long)k * n / splits), end = (int)((long)(k + 1) * n / splits);
            var marginal = new double[c];
            for (int i = start; i < end; i++)
                for (int j = 0; j < c; j++) marginal[j] += probabilities[i, j] / (end - start);
            double kl = 0;
            for (int i = start; i < end; i++)
                for (int j = 0; j < c; j++)
                {
                    double p = probabilities[i, j];
                    if (p > 0) kl += p * (Math.Log(p) - Math.Log(marginal[j]));
                }
            scores[k] = Math.Exp(kl / (end - start));
        }
        double mean = scores.Average();
        return (mean, Math.Sqrt(scores.Sum(s => (s - mean) * (s - mean)) / splits));
    }
}
