using RawGan.Backends;
using RawGan.Backends.Cpu;
using RawGan.Backends.Cuda;
using RawGan.Eval;
using RawGan.Tensors;

namespace RawGan.Bench;

/// <summary>
/// Images per second through the FID Inception-v3 as `rawgan eval --inception` runs it: RGB 64×64 images in
/// [-1, 1] to 8-bit, the legacy resize to 299, the network to pool3 and the 1008 logits, read back (<see
/// cref="InceptionV3.Judge"/>). Placeholder weights: the arithmetic does not depend on them. tools/peer/inception_peer.py
/// times the same pipeline in PyTorch (torchvision's inception_v3 with pytorch-fid's blocks) and prints the same line.
/// </summary>
internal static class InceptionBench
{
    private const string Usage = "usage: RawGan.Bench inception [cpu|cuda] [--batch N]";

    public static int Run(string[] args)
    {
        string device = "cpu";
        int? batch = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "cpu" or "cuda": device = args[i]; break;
                case "--batch" when i + 1 < args.Length && int.TryParse(args[i + 1], out int b) && b > 0: batch = b; i++; break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }
        CudaBackend? cuda = null;
        if (device == "cuda" && (cuda = CudaDevice.Open("inception", Precision.Fp32)) is null) return CudaDevice.Unavailable;
        IBackend backend = cuda ?? (IBackend)CpuBackend.Default;
        int n = batch ?? (cuda is null ? 8 : 200);
        var net = new InceptionV3();
        net.To(backend);
        const int Side = 64;
        var images = new float[n * 3 * Side * Side];
        var rng = new Generator(1);
        for (int i = 0; i < images.Length; i++) images[i] = (float)(2 * rng.NextUniform() - 1);
        Console.WriteLine($"# rawgan inception: {backend.Name}, batch {n} of 3x{Side}x{Side}, legacy resize to 299, pool3 and logits read back");
        double seconds = Timing.Median(() => net.Judge(images, n, 3, Side, Side, InceptionResize.Legacy, batchSize: n), budgetSeconds: 1, minRuns: 3, maxRuns: 20);
        Console.WriteLine($"inception batch {n} rawgan {device}: {seconds:F3} s/batch  {n / seconds:F1} images/s");
        return 0;
    }
}
