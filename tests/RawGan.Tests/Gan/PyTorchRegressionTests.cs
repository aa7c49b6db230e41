using RawGan.Backends.Cpu;
using RawGan.Gan;
using RawGan.Nn;
using RawGan.Ops;
using RawGan.Tensors;
using RawGan.Tests.Golden;

namespace RawGan.Tests.Gan;

/// <summary>
/// From PyTorch's initial weights, batches, noise and dropout masks (tools/golden/make_training_golden.py), the
/// trainer's D and G losses follow PyTorch's for six steps. This checks the wiring the per-op tests cannot: layer
/// order, train-mode BatchNorm and its running statistics, loss reduction, which forwards are detached, Adam's
/// bias correction, and the order of the two updates.
/// </summary>
public class PyTorchRegressionTests
{
    // Step 0 agrees to float32 rounding (3.6e-7 measured). Later steps inherit Adam's updates, which divide by
    // sqrt(v) + eps and so magnify ulp-level gradient differences on near-zero gradients; over six steps every
    // difference measured stays below 1e-5, and this allows twice that. A wiring mistake (a missed BatchNorm
    // update, a fake that is not detached, the wrong reduction) moves the losses by 1e-2 or more.
    private const double Tolerance = 2e-5;

    [Theory]
    [InlineData("train_dcgan32", ModelKind.Dcgan, 16)]
    [InlineData("train_cgan", ModelKind.Cgan, 64)]
    public void Losses_follow_pytorch_for_six_steps(string file, ModelKind model, int width)
    {
        var g = GoldenFile.Load(file);
        int n = g.I32("config.batch")[0], classes = g.I32("config.classes")[0];
        int[] realDims = g.Dims("step0.real");
        var config = new GanConfig { Model = model, Nz = g.I32("config.nz")[0], Ngf = width, Ndf = width, BatchSize = n };
        var trainer = new GanTrainer(config, realDims[1], realDims[2], Math.Max(classes, 1), CpuBackend.Default);
        trainer.G.LoadStateDict(Section(g, "init.G."));
        trainer.D.LoadStateDict(Section(g, "init.D."));

        var masks = new Queue<Tensor>();
        double keep = 1 - g.Scalar("config.dropout_p");
        foreach (Module m in trainer.D.Modules())
            if (m is Dropout d) d.MaskSource = shape => masks.Dequeue() / keep;

        for (int k = 0; k < g.I32("config.steps")[0]; k++)
        {
            foreach (string which in new[] { "real", "fake_detached", "fake" })
                for (int i = 0; i < 2 && g.Contains($"step{k}.mask.{which}.{i}"); i++)
                    masks.Enqueue(g.Tensor($"step{k}.mask.{which}.{i}", CpuBackend.Default));
            Tensor? labels = classes > 0 ? g.Indices($"step{k}.labels", CpuBackend.Default) : null;
            Tensor? genLabels = classes > 0 ? g.Indices($"step{k}.gen_labels", CpuBackend.Default) : null;
            StepMetrics m = trainer.TrainStep(g.Tensor($"step{k}.real", CpuBackend.Default), labels, g.Tensor($"step{k}.z", CpuBackend.Default), genLabels);

            Close.Assert($"step {k}: d_loss, g_loss, D(x), D(G(z))",
                [g.Scalar($"step{k}.d_loss"), g.Scalar($"step{k}.g_loss"), g.Scalar($"step{k}.d_x"), g.Scalar($"step{k}.d_g_z1")],
                [m.DLoss, m.GLoss, m.DReal, m.DFake], Tolerance, Tolerance);
            Assert.Empty(masks);
        }
    }

    private static Dictionary<string, Tensor> Section(GoldenFile g, string prefix) =>
        g.Names.Where(name => name.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(
            name => name[prefix.Length..],
            name => name.EndsWith("num_batches_tracked", StringComparison.Ordinal)
                ? Tensor.FromArray(g.I32(name), g.Dims(name))
                : g.Tensor(name, CpuBackend.Default));
}
