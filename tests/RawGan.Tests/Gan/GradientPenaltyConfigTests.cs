using RawGan.Backends.Cpu;
using RawGan.Gan;
using RawGan.Gan.Models;
using RawGan.Nn;
using RawGan.Tensors;

namespace RawGan.Tests.Gan;

/// <summary>wgan-gp and R1 as config options: written only when on, refused in combinations that cannot work with a
/// line naming the options, and training steps that move D with the penalty's gradient.</summary>
public class GradientPenaltyConfigTests
{
    [Fact]
    public void Penalties_that_are_off_are_not_written_and_those_on_read_back()
    {
        string off = new GanConfig().ToJson();
        Assert.DoesNotContain("r1", off, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("gpLambda", off);

        var on = new GanConfig { Model = ModelKind.Mlp, Loss = GanLoss.WganGp, GpLambda = 5 };
        Assert.Contains("\"loss\": \"wgan-gp\"", on.ToJson());
        Assert.Equal(on, GanConfig.FromJson(on.ToJson(), "run.json"));
        var r1 = new GanConfig { Model = ModelKind.Cgan, R1Gamma = 10, R1Every = 4 };
        Assert.Equal(r1, GanConfig.FromJson(r1.ToJson(), "run.json"));
    }

    [Theory]
    [InlineData(ModelKind.Mlp, GanLoss.WganGp, 10, null, null, "--r1-gamma cannot be combined with --loss wgan-gp")]
    [InlineData(ModelKind.Dcgan, GanLoss.WganGp, 0, null, null, "--model dcgan's discriminator has BatchNorm")]
    [InlineData(ModelKind.Cdcgan, GanLoss.Bce, 1, null, null, "--model cdcgan's discriminator has BatchNorm")]
    [InlineData(ModelKind.Cdcgan, GanLoss.Bce, 1, null, null, "add --d-norm none")]
    [InlineData(ModelKind.Mlp, GanLoss.Bce, 0, 16, null, "--r1-every must be positive and needs --r1-gamma")]
    [InlineData(ModelKind.Mlp, GanLoss.Bce, 1, 0, null, "--r1-every must be positive")]
    [InlineData(ModelKind.Mlp, GanLoss.Bce, -1, null, null, "--r1-gamma must be a finite number ≥ 0")]
    [InlineData(ModelKind.Mlp, GanLoss.Mse, 0, null, 10.0, "--gp-lambda weighs the penalty of --loss wgan-gp")]
    [InlineData(ModelKind.Mlp, GanLoss.WganGp, 0, null, -1.0, "--gp-lambda must be a positive finite number")]
    public void Incompatible_options_are_one_line_errors_naming_them(ModelKind model, GanLoss loss, double r1Gamma, int? r1Every, double? gpLambda, string expected)
    {
        var config = new GanConfig { Model = model, Loss = loss, R1Gamma = r1Gamma, R1Every = r1Every, GpLambda = gpLambda };
        var e = Assert.Throws<ArgumentException>(config.Validate);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Theory]
    [InlineData(ModelKind.Mlp, GanLoss.WganGp, 0)]
    [InlineData(ModelKind.Cgan, GanLoss.WganGp, 0)]
    [InlineData(ModelKind.Mlp, GanLoss.Bce, 10)]
    [InlineData(ModelKind.Cgan, GanLoss.Mse, 10)]
    [InlineData(ModelKind.Dcgan, GanLoss.WganGp, 0, DiscriminatorNorm.None)]
    [InlineData(ModelKind.Cdcgan, GanLoss.Hinge, 10, DiscriminatorNorm.None)]
    public void A_penalised_step_is_finite_and_the_penalty_moves_D(ModelKind model, GanLoss loss, double r1Gamma, DiscriminatorNorm norm = DiscriminatorNorm.Batch)
    {
        var plain = new GanConfig { Model = model, Nz = 8, Ngf = 4, Ndf = 4, BatchSize = 4, Seed = 3, Loss = loss, DNorm = norm };
        var penalised = plain with { R1Gamma = r1Gamma, GpLambda = loss == GanLoss.WganGp ? 100 : null };
        Tensor real = Tensor.Rand(new Shape(4, 1, 8, 8), new Generator(9), low: -1, high: 1);
        Tensor? labels = model is ModelKind.Cgan or ModelKind.Cdcgan ? Tensor.FromArray(new[] { 0, 1, 2, 1 }, new Shape(4)) : null;
        double[] D(GanConfig config)
        {
            var trainer = new GanTrainer(config, 1, 8, 3, CpuBackend.Default);
            Assert.Empty(trainer.D.Modules().OfType<BatchNorm>());
            StepMetrics m = trainer.TrainStep(real, labels);
            Assert.True(m.IsFinite, m.ToString());
            return trainer.D.Parameters().SelectMany(p => p.ToDoubleArray()).ToArray();
        }
        // With a heavier penalty (or R1 on), D's first update differs: the penalty's gradient reached D's weights.
        Assert.False(D(plain with { GpLambda = loss == GanLoss.WganGp ? 1 : null }).SequenceEqual(D(penalised)));
    }
}
