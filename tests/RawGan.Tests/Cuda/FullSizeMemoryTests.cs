using RawGan.Backends.Cuda;
using RawGan.Gan;
using RawGan.GpuEmulator;
using RawGan.Tensors;

namespace RawGan.Tests.Cuda;

/// <summary>The caching allocator at full size: the GPU benchmark's DCGAN-64 step at batch 128 on an emulated device
/// that skips the work (the allocator sees only sizes, so its figures are exact without running a kernel).</summary>
public class FullSizeMemoryTests(ITestOutputHelper output)
{
    /// <param name="benchmark">cuDNN Find on: the emulated algorithm it picks wants an im2col-sized workspace, as
    /// TF32 and bf16 tensor-core algorithms want large ones on a GPU; off: the heuristic's token workspaces.</param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_dcgan64_step_at_batch_128_has_a_steady_footprint_after_its_first_step(bool benchmark)
    {
        CudaBackend backend = EmulatedGpu.Create(new EmulatedCudaApi { SkipWork = true }, new ConvAlgorithmSearch(benchmark));
        var config = new GanConfig { Model = ModelKind.Dcgan, Nz = 100, Ngf = 64, Ndf = 64, BatchSize = 128, Seed = 1 };
        var trainer = new GanTrainer(config, 3, 64, 1, backend);
        float[] images = new float[128 * 3 * 64 * 64];
        AllocatorStats Step()
        {
            backend.Allocator.ResetPeaks();
            using (new TensorScope())
                trainer.EnqueueStep(Tensor.FromSpan<float>(images, new Shape(128, 3, 64, 64), DType.Float32, backend), null);
            return backend.Allocator.Stats;
        }
        AllocatorStats setup = backend.Allocator.Stats, first = Step(), second = Step(), third = Step();

        output.WriteLine($"parameters and Adam state: {setup}");
        output.WriteLine($"first step: {first}");
        output.WriteLine($"steady step: {third}");
        Assert.Equal(first.DeviceAllocations, third.DeviceAllocations); // the free lists serve every later step
        Assert.Equal(second.PeakAllocatedBytes, third.PeakAllocatedBytes);
        Assert.Equal(setup.AllocatedBytes, third.AllocatedBytes);          // a step returns all it took
    }
}
