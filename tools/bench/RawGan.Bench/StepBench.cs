using RawGan.Backends;
using RawGan.Backends.Cuda;
using RawGan.Gan;
using RawGan.Tensors;

namespace RawGan.Bench;

/// <summary>
/// One whole GAN training step (D on a real and a generated batch, G through D, Adam on both), the figure a user
/// feels, on the CPU or a GPU. tools/peer/gan_step.py times the identical step in PyTorch (same models, loss,
/// optimiser, batch 64, median of several steps after warm-up), so the two lines compare.
/// </summary>
internal static class StepBench
{
    public static void Run(string device)
    {
        IBackend backend = BackendRegistry.Get(Devices.Resolve(device).Device);
        Time("cgan", 1, 28, 10, 64, backend);
        Time("dcgan", 3, 64, 1, 64, backend);
    }

    private static void Time(string model, int channels, int size, int classes, int batch, IBackend backend)
    {
        var config = new GanConfig { Model = model, BatchSize = batch };
        var trainer = new GanTrainer(config, channels, size, classes, backend);
        Tensor real = Tensor.Rand(new Shape(batch, channels, size, size), new Generator(1), DType.Float32, backend.Device, -1, 1);
        Tensor? labels = classes > 1 ? trainer.RandomLabels(batch) : null;
        double seconds = Timing.Median(() => trainer.TrainStep(real, labels), budgetSeconds: model == "dcgan" ? 20 : 5, minRuns: 3);
        Console.WriteLine($"step {model} batch {batch} {backend.Name}: {seconds:F4} s/step  {batch / seconds:F1} images/s");
    }
}
