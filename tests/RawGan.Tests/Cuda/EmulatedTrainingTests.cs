using RawGan.Backends.Cpu;
using RawGan.Gan;
using RawGan.GpuEmulator;
using RawGan.IO;
using RawGan.Ops;
using RawGan.Tensors;
using RawGan.Tests.Gan;

namespace RawGan.Tests.Cuda;

/// <summary>Whole training steps on the emulated GPU agree with the CPU: every op of the step, its backward and the
/// Adam update go through the CUDA backend's code and kernels, in the order training uses them.</summary>
[Collection(nameof(EmulatedGpu))]
public class EmulatedTrainingTests
{
    [Theory]
    [InlineData(ModelKind.Dcgan, 1, 16, 1)]
    [InlineData(ModelKind.Cgan, 1, 8, 3)]
    public void Two_steps_on_the_emulated_gpu_match_the_cpu(ModelKind model, int channels, int size, int classes)
    {
        var config = new GanConfig { Model = model, Nz = 8, Ngf = 4, Ndf = 4, BatchSize = 4, Seed = 5 };
        var cpu = new GanTrainer(config, channels, size, classes, CpuBackend.Default);
        var gpu = new GanTrainer(config, channels, size, classes, EmulatedGpu.Backend);
        float[] images = Tensor.Rand(new Shape(4, channels, size, size), new Generator(3), low: -1, high: 1).ToFloatArray();
        int[] labels = [0, 1, 2, 1];

        for (int step = 0; step < 2; step++)
        {
            StepMetrics a = Step(cpu, images, labels), b = Step(gpu, images, labels);
            Assert.Equal(a.DLoss, b.DLoss, 1e-4);
            Assert.Equal(a.GLoss, b.GLoss, 1e-4);
        }
        // Adam's first steps move each weight by about lr·sign(gradient), so a gradient that is ~0 on both sides may
        // take either sign: single weights may differ by up to 2·lr per step, but on average they must agree.
        var expected = cpu.G.Parameters().Concat(cpu.D.Parameters()).SelectMany(p => p.ToFloatArray()).ToArray();
        var actual = gpu.G.Parameters().Concat(gpu.D.Parameters()).SelectMany(p => p.ToFloatArray()).ToArray();
        double[] diff = expected.Zip(actual, (e, g) => (double)Math.Abs(e - g)).ToArray();
        Assert.True(diff.Max() <= 4 * config.Lr, $"largest weight difference {diff.Max()}");
        Assert.True(diff.Average() <= 1e-6, $"mean weight difference {diff.Average()}");
    }

    private static StepMetrics Step(GanTrainer t, float[] images, int[] labels)
    {
        int n = labels.Length;
        Tensor real = Tensor.FromSpan<float>(images, new Shape(n, t.Channels, t.Size, t.Size), DType.Float32, t.Backend);
        Tensor? y = t.IsConditional ? Tensor.FromSpan<int>(labels, new Shape(n), DType.Int32, t.Backend) : null;
        return t.TrainStep(real, y);
    }

    [Fact]
    public void A_run_on_the_emulated_gpu_checkpoints_samples_and_resumes_on_the_cpu()
    {
        string dir = Directory.CreateTempSubdirectory("rawgan-emulated-").FullName;
        try
        {
            var config = new GanConfig { Model = ModelKind.Dcgan, Nz = 8, Ngf = 4, Ndf = 4, BatchSize = 4, Epochs = 2, Seed = 7, SampleEvery = 2, LogEvery = 4 };
            var data = new TinyDataset(10, 1, 16, 1);
            float[] onGpu;
            using (var run = TrainingRun.Create(config, data, EmulatedGpu.Backend, dir))
            {
                Assert.Equal(RunOutcome.Interrupted, run.Run(TestContext.Current.CancellationToken, stopAtStep: 3));
                onGpu = run.Trainer.G.Parameters().SelectMany(p => p.ToFloatArray()).ToArray();
            }
            Assert.True(File.Exists(Path.Combine(dir, "samples", "step-000002.png")));
            Assert.Equal(4, File.ReadAllLines(Path.Combine(dir, "metrics.csv")).Length); // header and steps 1..3

            using var resumed = TrainingRun.Resume(dir, data, CpuBackend.Default);
            Assert.Equal(3, resumed.Trainer.Step);
            Assert.Equal(onGpu, resumed.Trainer.G.Parameters().SelectMany(p => p.ToFloatArray()).ToArray());
            Assert.Equal(RunOutcome.Completed, resumed.Run(TestContext.Current.CancellationToken));
            Assert.True(SafeTensors.Read(Path.Combine(dir, "generator.safetensors")).Tensors.Count > 0);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Backward_returns_each_intermediate_gradient_to_the_pool_once_it_is_used()
    {
        const int n = 1 << 16, depth = 6;
        long tensorBytes = n * sizeof(float);
        using var scope = new TensorScope();
        Tensor x = Tensor.Rand(new Shape(n), new Generator(1), DType.Float32, EmulatedGpu.Backend, -1, 1);
        x.RequiresGrad = true;
        Tensor h = x;
        for (int i = 0; i < depth; i++) h = F.Tanh(h);
        Tensor loss = h.Sum();
        var allocator = EmulatedGpu.Backend.Allocator;
        long before = allocator.Stats.AllocatedBytes;
        allocator.ResetPeaks();

        loss.Backward();

        // Holding every gradient to the end would add depth + 1 tensors; consumed ones go back at once, so at most
        // the gradient being computed, its input and x.Grad are in use together.
        long added = allocator.Stats.PeakAllocatedBytes - before;
        Assert.True(added <= 3 * tensorBytes, $"backward added {added} bytes at its peak, {added / (double)tensorBytes:F1} tensors of {tensorBytes}");
        float[] g = x.Grad!.ToFloatArray(), xs = x.ToFloatArray();
        for (int i = 0; i < n; i += 4099)
        {
            double v = xs[i], d = 1;
            for (int k = 0; k < depth; k++) { double t = Math.Tanh(v); d *= 1 - t * t; v = t; }
            Assert.Equal(d, g[i], 1e-5);
        }
    }

    [Theory]
    [InlineData(ModelKind.Cgan, 1, 8, 3)]   // labels through an embedding, dropout, BatchNorm1d
    [InlineData(ModelKind.Cdcgan, 1, 16, 3)] // one-hot label planes, convolutions, BatchNorm2d
    public void A_training_step_never_waits_for_the_device_and_uploads_only_its_batch(ModelKind model, int channels, int size, int classes)
    {
        var config = new GanConfig { Model = model, Nz = 8, Ngf = 4, Ndf = 4, BatchSize = 4, Seed = 2 };
        var trainer = new GanTrainer(config, channels, size, classes, EmulatedGpu.Backend);
        float[] images = new float[4 * channels * size * size];
        int[] labels = [0, 1, 2, 1];
        Tensor Step()
        {
            Tensor real = Tensor.FromSpan<float>(images, new Shape(4, channels, size, size), DType.Float32, trainer.Backend);
            return trainer.EnqueueStep(real, Tensor.FromSpan<int>(labels, new Shape(4), DType.Int32, trainer.Backend));
        }
        Step(); // the first step may read what it caches (BatchNorm's step count)
        long reads = EmulatedGpu.Api.DeviceToHostCopies, uploads = EmulatedGpu.Api.HostToDeviceCopies, launches = EmulatedGpu.Api.Launches;

        Step();

        Assert.Equal(reads, EmulatedGpu.Api.DeviceToHostCopies);
        // The batch (images, labels) and the generated images' labels (drawn on the host, as torch.randint): nothing else.
        Assert.Equal(uploads + 3, EmulatedGpu.Api.HostToDeviceCopies);
        Assert.True(EmulatedGpu.Api.Launches > launches + 50, "the step's work went through the kernels");
    }
}
