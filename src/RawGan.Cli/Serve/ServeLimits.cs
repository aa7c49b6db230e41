namespace RawGan.Cli.Serve;

/// <summary>What one request may ask for, and how the server gathers and bounds the work.</summary>
internal sealed record ServeLimits
{
    /// <summary>Most images one request may ask for (--max-count).</summary>
    public int MaxCount { get; init; } = 64;
    /// <summary>Most images gathered into one generator forward (--max-batch); a larger request runs alone.</summary>
    public int MaxBatch { get; init; } = 64;
    /// <summary>How long the first request of a batch waits for batch-mates (--max-wait-ms). None by default: the
    /// requests that arrive while a forward runs queue up and form the next batch (continuous batching), so a busy
    /// server batches anyway and an idle one answers at once; a fixed wait only added its length to every request at
    /// low concurrency (tools/bench/RESULTS.md, "Serving and inference on a quiet machine").</summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.Zero;
    /// <summary>Images admitted but not yet generated, per model (--queue); past it a request gets 503 with
    /// Retry-After, so memory stays bounded under overload.</summary>
    public int QueueImages { get; init; } = 4096;
    /// <summary>Largest request body in bytes (--max-body).</summary>
    public int MaxBodyBytes { get; init; } = 1 << 20;

    public void Validate()
    {
        if (MaxCount < 1) throw new ArgumentException($"--max-count must be positive, not {MaxCount}.");
        if (MaxBatch < 1) throw new ArgumentException($"--max-batch must be positive, not {MaxBatch}.");
        if (MaxWait < TimeSpan.Zero) throw new ArgumentException($"--max-wait-ms must not be negative, not {MaxWait.TotalMilliseconds}.");
        if (QueueImages < MaxCount) throw new ArgumentException($"--queue must hold at least one largest request ({MaxCount} images), not {QueueImages}.");
        if (MaxBodyBytes < 64) throw new ArgumentException($"--max-body must be at least 64 bytes, not {MaxBodyBytes}.");
    }
}
