using RawGan.Autograd;
using RawGan.Gan.Models;
using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Gan;

/// <summary>
/// An exponential moving average of G's weights and BatchNorm running statistics (Yazıcı et al. 2019; Karras et
/// al.), a second generator of the same architecture that samples, evaluation and generator.safetensors use. The
/// decay ramps up as min(decay, (1 + t) / (10 + t)) after t updates (TensorFlow's ExponentialMovingAverage with
/// num_updates), so the random initial weights do not linger in a short run. Integer buffers are copied.
/// </summary>
public sealed class GeneratorAverage
{
    private readonly double _decay;

    public GeneratorAverage(GanGenerator average, GanGenerator source, double decay)
    {
        if (decay is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(decay), decay, "--ema must be in (0, 1).");
        _decay = decay;
        Model = average;
        Model.LoadStateDict(source.StateDict().ToDictionary(e => e.Name, e => e.Value));
        Model.Eval();
        foreach (Tensor p in Model.Parameters()) p.RequiresGrad = false;
    }

    /// <summary>The averaged generator (in eval mode; it is never trained).</summary>
    public GanGenerator Model { get; }

    /// <summary>Moves the average toward <paramref name="source"/>'s current state; <paramref name="updates"/> counts
    /// the updates before this one.</summary>
    public void Update(GanGenerator source, long updates)
    {
        double d = Math.Min(_decay, (1.0 + updates) / (10.0 + updates));
        using var noGrad = GradMode.NoGrad();
        using var scope = new TensorScope();
        foreach (((_, Tensor avg), (_, Tensor now)) in Model.StateDict().Zip(source.StateDict()))
            avg.Backend.Copy(avg.DType.IsFloatingPoint() ? avg * d + now * (1 - d) : now, avg);
    }
}
