namespace RawGan.Backends.Cuda;

/// <summary>
/// How a device's cuDNN convolutions choose their algorithms, fixed when the device is opened.
/// <para><see cref="Benchmark"/> (PyTorch's <c>torch.backends.cudnn.benchmark</c>, here on by default): the first
/// convolution of each shape, direction and precision runs cuDNN's Find, which times every algorithm on the operands
/// at hand, and the fastest is kept for the process. Off: cuDNN's heuristic ranking, no timing.</para>
/// <para>Either way only deterministic algorithms are taken (what PyTorch's <c>cudnn.deterministic</c> asks): two
/// runs with one seed give the same bits. Find's choice depends on timings, so a run resumed in another process may
/// choose other (deterministic) algorithms than the first process did, whose sums round differently: the resumed run
/// then follows the original to float32 rounding rather than bit for bit. With <c>RAWGAN_CUDNN_BENCHMARK=0</c> the
/// choice depends only on the shapes, the cuDNN version and the device, and a resume is exact to the bit.</para>
/// </summary>
/// <param name="Benchmark">Time the algorithms (cudnnFind*AlgorithmEx) instead of trusting the heuristics.</param>
/// <param name="MaxWorkspaceBytes">Largest workspace an algorithm may ask for; those wanting more are passed over
/// (and Find is given no more than this to try them in).</param>
public sealed record ConvAlgorithmSearch(bool Benchmark = true, long MaxWorkspaceBytes = 1L << 30)
{
    /// <summary>The environment variable that turns <see cref="Benchmark"/> off ("0", "false", "off") or on.</summary>
    public const string Variable = "RAWGAN_CUDNN_BENCHMARK";

    /// <summary>The defaults, with <see cref="Benchmark"/> as <see cref="Variable"/> says (on when it is unset).</summary>
    public static ConvAlgorithmSearch FromEnvironment() => new(Parse(Environment.GetEnvironmentVariable(Variable)));

    internal static bool Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "1" or "true" or "on" => true,
        "0" or "false" or "off" => false,
        _ => throw new InvalidOperationException($"{Variable}={value}: expected 1/true/on or 0/false/off."),
    };

    public override string ToString() =>
        $"cuDNN algorithms: {(Benchmark ? "benchmarked (Find)" : "heuristic")}, deterministic only, workspace up to {MaxWorkspaceBytes >> 20} MiB";
}
