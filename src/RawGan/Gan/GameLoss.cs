using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Gan;

/// <summary>
/// The two players' losses on D's outputs for a batch (probabilities for bce and mse, raw scores for wgan-gp and
/// hinge, see <see cref="GanLossExtensions.ScoresProbabilities"/>): the non-saturating game (bce), least squares
/// (mse), the Wasserstein critic (wgan-gp; its gradient penalty is the trainer's) or hinge. One-sided label smoothing (Salimans et al. 2016) moves only the real target, to 1 - smoothing; the generator's
/// target stays 1.
/// </summary>
internal sealed class GameLoss(GanLoss loss, double labelSmoothing)
{
    /// <summary>D's loss on scores of real (<paramref name="real"/> true) or generated images.</summary>
    public Tensor Discriminator(Tensor score, bool real) => loss switch
    {
        GanLoss.Hinge => F.Relu((real ? -score : score) + 1.0).Mean(),
        GanLoss.WganGp => real ? -score.Mean() : score.Mean(),
        _ => Toward(score, real ? 1 - labelSmoothing : 0),
    };

    /// <summary>G's loss on D's scores of its images.</summary>
    public Tensor Generator(Tensor score) => loss.ScoresProbabilities() ? Toward(score, 1) : -score.Mean();

    private Tensor Toward(Tensor score, double target)
    {
        Tensor t = Tensor.Full(score.Shape, target, score.DType, score.Backend);
        return loss == GanLoss.Mse ? F.MseLoss(score, t) : F.BinaryCrossEntropy(score, t);
    }
}
