using RawGan.Data;
using RawGan.Eval;

namespace RawGan.Cli;

/// <summary>The bundled digits as the digit judge's reference: what `rawgan eval` and training compare samples with.</summary>
internal static class DigitReference
{
    /// <summary>The bundled digits at 28×28: the 8,000 the judge trained on (the reference) and the 2,000 it did not
    /// (for the real-vs-real floor). A GAN trains on all 10,000, so the floor is a lower bound, not a target.</summary>
    public static (float[] Reference, float[] HeldOut) BundledDigits()
    {
        MnistDataset data = DataSources.Bundled();
        const int Pixels = DigitJudge.ImageSize * DigitJudge.ImageSize;
        var reference = new List<float>();
        var heldOut = new List<float>();
        var digit = new float[Pixels];
        for (int i = 0; i < data.Count; i++)
        {
            data.Load(i, digit, 0, out _);
            (DigitJudge.IsHeldOut(i) ? heldOut : reference).AddRange(digit);
        }
        return ([.. reference], [.. heldOut]);
    }

    /// <summary>The judge's feature statistics of the 8,000 reference digits: embedded, computed once on the CPU
    /// (<see cref="DigitJudge.EmbeddedReference"/>).</summary>
    public static FeatureStatistics Statistics() => DigitJudge.EmbeddedReference();
}
