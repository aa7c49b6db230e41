namespace RawGan.Gan;

/// <summary>
/// The checks on the stabilising options of <see cref="GanConfig"/> (TTUR learning rates and their decay, D steps per G step,
/// one-sided label smoothing, the EMA generator, spectral norm, the auxiliary classifier, DiffAugment, random crop and rotation): each a
/// one-line error naming the options, raised before a run folder exists.
/// </summary>
public static class Stabilisers
{
    public static void Validate(GanConfig c)
    {
        static void Require(bool ok, string message)
        {
            if (!ok) throw new ArgumentException(message);
        }
        Require(c.LrG is null || (double.IsFinite(c.LrG.Value) && c.LrG > 0), $"--lr-g must be a positive finite number, not {c.LrG}.");
        Require(c.LrD is null || (double.IsFinite(c.LrD.Value) && c.LrD > 0), $"--lr-d must be a positive finite number, not {c.LrD}.");
        Require(c.DSteps >= 1, $"--d-steps must be at least 1, not {c.DSteps}.");
        Require(c.LrDecayEpochs >= 0 && c.LrDecayEpochs <= c.Epochs, $"--lr-decay-epochs must be between 0 and --epochs ({c.Epochs}), not {c.LrDecayEpochs}.");
        Require(c.LabelSmoothing is >= 0 and < 0.5, $"--label-smoothing must be in [0, 0.5), not {c.LabelSmoothing}.");
        Require(c.LabelSmoothing == 0 || c.Loss.ScoresProbabilities(), $"--label-smoothing moves bce's and mse's real target; --loss {OptionNames.Name(c.Loss)} has no target to smooth.");
        Require(c.Ema == 0 || c.Ema is > 0 and < 1, $"--ema must be 0 (off) or a decay in (0, 1), not {c.Ema}.");
        Require(double.IsFinite(c.AuxClassifier) && c.AuxClassifier >= 0, $"--aux-classifier must be a finite weight ≥ 0, not {c.AuxClassifier}.");
        Require(c.AuxClassifier == 0 || c.Model == ModelKind.Cdcgan,
            $"--aux-classifier adds a class head to the conditional DCGAN's discriminator: it needs --model cdcgan, not {OptionNames.Name(c.Model)}.");
        Require(c.DiffAugmentProbability is >= 0 and <= 1, $"--diff-augment-p must be in [0, 1], not {c.DiffAugmentProbability}.");
        Gan.DiffAugment.Parse(c.DiffAugment);
        bool minibatchDiscrimination = c.MinibatchDiscriminationSize() is not null;
        Require(!(c.PenalisesGradient && minibatchDiscrimination),
            "--minibatch-discrimination cannot be combined with --loss wgan-gp or --r1-gamma: its features mix the batch, so D's gradient at one image is not that image's alone.");
        Require(c.RandomCrop >= 0, $"--random-crop must not be negative, not {c.RandomCrop}.");
        Require(c.RandomRotation is >= 0 and <= 180, $"--random-rotation must be in [0, 180] degrees, not {c.RandomRotation}.");
    }

    /// <summary>The kernels and values per kernel of <see cref="GanConfig.MinibatchDiscrimination"/> ("B,C"), or null when off.</summary>
    public static (int Kernels, int KernelDims)? MinibatchDiscriminationSize(this GanConfig c)
    {
        if (c.MinibatchDiscrimination == "") return null;
        string[] parts = c.MinibatchDiscrimination.Split(',');
        if (parts.Length == 2 && int.TryParse(parts[0], out int b) && int.TryParse(parts[1], out int k) && b > 0 && k > 0) return (b, k);
        throw new ArgumentException($"--minibatch-discrimination takes B,C (kernels, values per kernel; e.g. 16,8), both positive, not '{c.MinibatchDiscrimination}'.");
    }

    /// <summary>G's learning rate: <see cref="GanConfig.LrG"/> or the shared <see cref="GanConfig.Lr"/>.</summary>
    public static double GeneratorLr(this GanConfig c) => c.LrG ?? c.Lr;

    /// <summary>D's learning rate: <see cref="GanConfig.LrD"/> or the shared <see cref="GanConfig.Lr"/>.</summary>
    public static double DiscriminatorLr(this GanConfig c) => c.LrD ?? c.Lr;
}
