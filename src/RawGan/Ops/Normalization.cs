using RawGan.Autograd;
using RawGan.Tensors;

namespace RawGan.Ops;

public static partial class F
{
    /// <summary>
    /// Batch normalisation over axis 1 of x ([N, C] or [N, C, ...]), as torch.nn.functional.batch_norm. In training
    /// the batch's mean and biased variance normalise x and the running statistics (if given) move by momentum
    /// toward the batch's mean and unbiased variance; in eval the running statistics normalise x.
    /// </summary>
    public static Tensor BatchNorm(Tensor x, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null,
                                   bool training = false, double momentum = 0.1, double eps = 1e-5)
    {
        const string op = "batch_norm";
        RequireFloat(op, x);
        if (x.Rank < 2) throw new ArgumentException($"{op}: input must be [N, C] or [N, C, ...], got shape {x.Shape}.");
        if (eps < 0) throw new ArgumentOutOfRangeException(nameof(eps), $"{op}: eps must be non-negative, got {eps}.");
        var channel = new Shape(x.Shape[1]);
        foreach ((Tensor? t, string name) in new[] { (runningMean, "running_mean"), (runningVar, "running_var"), (weight, "weight"), (bias, "bias") })
        {
            if (t is null) continue;
            RequireCompatible(op, x, t);
            RequireShape(op, t, channel, name);
        }
        if (bias is not null && weight is null)
            throw new ArgumentException($"{op}: a bias needs a weight too (affine BatchNorm has both).");
        if (!training && (runningMean is null || runningVar is null))
            throw new ArgumentException($"{op}: eval mode needs running_mean and running_var.");

        Tensor y = EmptyLike(x), mean = Empty(channel, x), invStd = Empty(channel, x);
        x.Backend.BatchNormForward(AsBatchNormInput(x), weight, bias, runningMean, runningVar, training, momentum, eps, AsBatchNormInput(y), mean, invStd);
        Tensor[] inputs = weight is null ? [x] : bias is null ? [x, weight] : [x, weight, bias];
        return Record(y, op, inputs, dy =>
        {
            if (GradMode.Enabled)
                throw new NotSupportedException($"{op}: a gradient of its gradient (create_graph: R1, WGAN-GP) is not supported through BatchNorm; " +
                                                "use a discriminator without BatchNorm for gradient penalties, as the WGAN-GP paper does.");
            Tensor dx = EmptyLike(x);
            Tensor? dw = weight?.RequiresGrad == true ? EmptyLike(weight) : null;
            Tensor? db = bias?.RequiresGrad == true ? EmptyLike(bias) : null;
            x.Backend.BatchNormBackward(AsBatchNormInput(x), AsBatchNormInput(dy), weight, mean, invStd, training, AsBatchNormInput(dx), dw, db);
            return weight is null ? [dx] : bias is null ? [dx, dw] : [dx, dw, db];
        });
    }

    /// <summary>
    /// t as the backend's batch norm takes it. Channels-last [N, C, H, W] lies as [N·H·W, C], which is BatchNorm1d's
    /// input with the same per-channel statistics: a backend that does not take channels-last natively gets that
    /// view (its NCHW code then normalises the right values with no copy), one that does gets t itself.
    /// </summary>
    private static Tensor AsBatchNormInput(Tensor t) =>
        t.MemoryFormat != MemoryFormat.ChannelsLast || t.Backend.ChannelsLastNative
            ? t
            : new Tensor(t.Storage, new Shape(t.Shape[0] * t.Shape[2] * t.Shape[3], t.Shape[1]));
}
