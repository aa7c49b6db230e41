namespace RawGan.Gan;

/// <summary>
/// <see cref="GanConfig.LrDecayEpochs"/>: both learning rates constant, then over the last N epochs falling linearly
/// toward zero, one notch per step (CycleGAN steps it per epoch; per step the last epoch of a short run is not one
/// coarse stair). The factor depends only on the config and the position in the data, so a resumed run sets the same
/// rates as an uninterrupted one, and no step trains at a rate of zero.
/// </summary>
public static class LearningRateDecay
{
    /// <summary>The factor on the configured rates for the step on batch <paramref name="batch"/> of epoch
    /// <paramref name="epoch"/> (both from 0), with <paramref name="batchesPerEpoch"/> batches an epoch: 1 before the
    /// decay, then (steps left, this one included) / (steps the decay spans), 1/span on the last step.</summary>
    public static double Factor(GanConfig config, int epoch, int batch, int batchesPerEpoch)
    {
        if (config.LrDecayEpochs == 0) return 1;
        long total = (long)config.Epochs * batchesPerEpoch, span = (long)config.LrDecayEpochs * batchesPerEpoch;
        long left = total - ((long)epoch * batchesPerEpoch + batch);
        return Math.Min(1.0, (double)left / span);
    }
}
