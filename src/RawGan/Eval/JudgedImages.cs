namespace RawGan.Eval;

/// <summary>What a feature network made of N images: <paramref name="Features"/> [N, D] and class
/// <paramref name="Probabilities"/> [N, C] (each row sums to 1), in float64 for the statistics built on them.</summary>
public sealed record JudgedImages(double[,] Features, double[,] Probabilities)
{
    public int Count => Features.GetLength(0);

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
