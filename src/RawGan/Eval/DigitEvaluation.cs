namespace RawGan.Eval;

/// <summary>
/// Everything the digit judge measures about generated digits against real ones: <see cref="DigitScores"/>, the
/// real-vs-real floor (the same Fréchet distance from held-out real digits, the best a generator can hope to
/// approach; NaN when no held-out digits were given), KID, precision and recall in the judge's feature space, and the memorisation check.
/// </summary>
public sealed record DigitEvaluation(DigitScores Scores, double FrechetFloor, KidResult Kid, double Precision, double Recall, MemorisationReport Memorisation)
{
    /// <summary>Judges <paramref name="samples"/> (28×28, [-1, 1]; see <see cref="DigitScores.ToJudgeInput"/>) against
    /// <paramref name="reference"/> digits (those a generator learnt from) and <paramref name="heldOut"/> real digits
    /// the generator never saw (for the floor; null for none). Memorisation is checked against the first
    /// <paramref name="memorisationReference"/> reference digits, whose pairwise spacing it computes.</summary>
    public static DigitEvaluation Run(DigitJudge judge, float[] samples, int[]? requestedLabels, float[] reference, float[]? heldOut,
                                      int memorisationReference = 2000, Action<string>? progress = null)
    {
        const int Pixels = DigitJudge.ImageSize * DigitJudge.ImageSize;
        int n = samples.Length / Pixels, r = reference.Length / Pixels;
        progress?.Invoke("judging the samples");
        JudgedImages judged = judge.Judge(samples, n);
        progress?.Invoke("judging the real digits");
        JudgedImages real = judge.Judge(reference, r);
        var realStatistics = FeatureStatistics.From(real.Features);
        DigitScores scores = DigitScores.Compute(judged, realStatistics, requestedLabels);
        double floor = heldOut is null ? double.NaN
            : FrechetDistance.Compute(FeatureStatistics.From(judge.Judge(heldOut, heldOut.Length / Pixels).Features), realStatistics);
        progress?.Invoke("KID, precision and recall");
        KidResult kid = KernelInceptionDistance.Compute(real.Features, judged.Features);
        (double precision, double recall) = PrecisionRecall.Compute(real.Features, judged.Features);
        progress?.Invoke("memorisation check");
        MemorisationReport memorisation = MemorisationReport.Check(samples, judged.Features, reference, real.Features, memorisationReference);
        return new DigitEvaluation(scores, floor, kid, precision, recall, memorisation);
    }

    /// <summary>Writes the memorisation check's PNG (<see cref="MemorisationReport.SavePairs(string, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int)"/>) from the
    /// <paramref name="samples"/> and <paramref name="reference"/> digits this evaluation was run on.</summary>
    public void SavePairs(string path, ReadOnlySpan<float> samples, ReadOnlySpan<float> reference) =>
        Memorisation.SavePairs(path, samples, reference, 1, DigitJudge.ImageSize, DigitJudge.ImageSize);
}
