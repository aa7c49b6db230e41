using RawGan.Backends;
using RawGan.Backends.Cpu;
using RawGan.Backends.Cuda;
using RawGan.Gan;
using RawGan.Tensors;

namespace RawGan.Bench;

/// <summary>
/// One whole GAN training step (D on a real and a generated batch, G through D, Adam on both), the figure a user
/// feels, on the CPU or a GPU. tools/peer/gan_step.py times the identical step in PyTorch (same models, loss,
/// optimiser, batch, TF32 setting; median of several steps after warm-up; its bf16 autocast configuration is the
/// counterpart of --precision bf16) and prints the same line with "pytorch"
/// for "rawgan", so the two compare line for line. Each timed step ends with the step's losses read back to the
/// host, which waits for the GPU: the time is the step's, not the time to queue it. On CUDA the line adds the peak
/// memory over the timed steps (the caching allocator's blocks in use and reserved, as torch.cuda's
/// max_memory_allocated / max_memory_reserved count theirs) and the device memory in use at the end (cuMemGetInfo:
/// everything the process holds, CUDA context and library workspaces included). Compare one model per process: a
/// second model's peaks include the first one's parameters.
/// </summary>
internal static class StepBench
{
    private const string Usage = "usage: RawGan.Bench step [cpu|cuda] [--model cgan|dcgan|all] [--batch N] [--tf32 | --precision NAME] [--seconds S] [--cuda-graphs] [--channels-last]";

    public static int Run(string[] args)
    {
        string device = "cpu", model = "all";
        int? batch = null;
        bool tf32 = false, graphs = false, channelsLast = false;
        Precision? precision = null;
        double? seconds = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "cpu" or "cuda": device = args[i]; break;
                case "--model" when i + 1 < args.Length && args[i + 1] is "cgan" or "dcgan" or "all": model = args[++i]; break;
                case "--batch" when i + 1 < args.Length && int.TryParse(args[i + 1], out int b) && b > 1: batch = b; i++; break;
                case "--tf32": tf32 = true; break;
                // Any precision the backend has (fp32, tf32, ...), by its enum name; --tf32 is --precision tf32.
                case "--precision" when i + 1 < args.Length && Enum.TryParse(args[i + 1], true, out Precision p) && Enum.IsDefined(p):
                    precision = p; i++; break;
                // The timing budget per model (default 20 s for DCGAN, 5 s for the CGAN): run-all.sh's matrix is long.
                case "--seconds" when i + 1 < args.Length && double.TryParse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture, out double s) && s > 0:
                    seconds = s; i++; break;
                case "--cuda-graphs": graphs = true; break;
                case "--channels-last": channelsLast = true; break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }

        CudaBackend? cuda = null;
        if (device == "cuda")
        {
            precision ??= tf32 ? Precision.Tf32 : Precision.Fp32;
            cuda = CudaDevice.Open("step", precision.Value);
            if (cuda is null) return CudaDevice.Unavailable;
        }
        IBackend backend = cuda ?? (IBackend)CpuBackend.Default;
        if (graphs && (cuda is null || model == "all" || model == "cgan"))
        {
            Console.Error.WriteLine("--cuda-graphs: only the DCGAN step on cuda can be captured (--model dcgan; the CGAN draws its labels on the host)");
            return 2;
        }
        // The CPU figures in tools/bench/RESULTS.md are at batch 64; the GPU comparison is DCGAN-64 at batch 128.
        int n = batch ?? (cuda is null ? 64 : 128);
        Console.WriteLine($"# rawgan step: {backend.Name}, batch {n}{(cuda is null ? "" : $", {cuda.Precision}, {cuda.ConvSearch}, CUDA graphs {(graphs ? "on" : "off")}, channels-last {(channelsLast ? "on" : "off")}")}");
        if (model is "cgan" or "all") Time("cgan", 1, 28, 10, n, backend, cuda, seconds ?? 5, graphs, channelsLast);
        if (model is "dcgan" or "all") Time("dcgan", 3, 64, 1, n, backend, cuda, seconds ?? 20, graphs, channelsLast);
        return 0;
    }

    private static void Time(string model, int channels, int size, int classes, int batch, IBackend backend, CudaBackend? cuda, double budget, bool graphs,
                             bool channelsLast)
    {
        var config = new GanConfig { Model = OptionNames.Parse<ModelKind>("--model", model), BatchSize = batch, CudaGraphs = graphs, ChannelsLast = channelsLast };
        var trainer = new GanTrainer(config, channels, size, classes, backend);
        Tensor real = Tensor.Rand(new Shape(batch, channels, size, size), new Generator(1), DType.Float32, backend, -1, 1);
        Tensor? labels = classes > 1 ? trainer.RandomLabels(batch) : null;
        // Two steps first, as gan_step.py does before torch.cuda.reset_peak_memory_stats(): plans, kernels and the
        // allocator's blocks are in place, and the peaks below are those of the steady steps. With --cuda-graphs the
        // first is the eager warm-up and the second is captured, so every timed step is a replay.
        trainer.TrainStep(real, labels);
        trainer.TrainStep(real, labels);
        cuda?.Allocator.ResetPeaks();
        double seconds = Timing.Median(() => trainer.TrainStep(real, labels), budgetSeconds: budget, minRuns: 3);
        string line = $"step {model} batch {batch} rawgan {(cuda is null ? "cpu" : Label(cuda.Precision))}" +
                      (graphs ? " graphs=on" : "") + (GanTrainer.UsesChannelsLast(config, backend) ? " channels_last=on" : "") +
                      $": {seconds:F4} s/step  {batch / seconds:F1} images/s";
        if (cuda is not null)
        {
            AllocatorStats stats = cuda.Allocator.Stats;
            (long free, long total) = cuda.MemoryInfo();
            line += $"  peak allocated {Mib(stats.PeakAllocatedBytes)} MiB  peak reserved {Mib(stats.PeakReservedBytes)} MiB" +
                    $"  device used {Mib(total - free)} MiB";
        }
        Console.WriteLine(line);
    }

    private static string Mib(long bytes) => $"{bytes / 1048576.0:F0}";

    /// <summary>"cuda tf32=off" / "cuda tf32=on" as gan_step.py prints them; another precision by its name.</summary>
    private static string Label(Precision p) => p switch
    {
        Precision.Fp32 => "cuda tf32=off",
        Precision.Tf32 => "cuda tf32=on",
        _ => $"cuda {p.ToString().ToLowerInvariant()}",
    };
}
