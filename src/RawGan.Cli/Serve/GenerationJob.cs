using RawGan.Backends;
using RawGan.Tensors;

namespace RawGan.Cli.Serve;

/// <summary>One request's share of a batch: its latent codes (drawn from a seed exactly as `rawgan sample` draws them,
/// or given), their truncation, and a label per image for a conditional model.</summary>
internal sealed class GenerationJob
{
    private readonly ulong _seed;
    private readonly float[]? _noise;
    private readonly float? _truncation;
    private readonly TaskCompletionSource<float[]> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="count">Images to generate.</param>
    /// <param name="seed">Seed of the latent codes when <paramref name="noise"/> is null.</param>
    /// <param name="noise">count × nz latent values, row after row, or null to draw them from the seed.</param>
    /// <param name="truncation">Clamp every latent value to ±truncation, or null to leave them.</param>
    /// <param name="labels">One label per image for a conditional model, else null.</param>
    public GenerationJob(int count, ulong seed, float[]? noise, float? truncation, int[]? labels)
    {
        Count = count;
        _seed = seed;
        _noise = noise;
        _truncation = truncation;
        Labels = labels;
    }

    public int Count { get; }
    public int[]? Labels { get; }

    /// <summary>The images [Count, C, H, W] in [-1, 1], once the batch holding this job has run.</summary>
    public Task<float[]> Images => _done.Task;

    /// <summary>The count × nz latent codes. Drawn on the model's backend, as `rawgan sample` draws them there.</summary>
    public float[] Latents(IBackend backend, int nz)
    {
        float[] z = _noise ?? Tensor.Randn(new Shape(Count, nz), new Generator(_seed), DType.Float32, backend).ToFloatArray();
        if (_truncation is { } t)
            for (int i = 0; i < z.Length; i++) z[i] = Math.Clamp(z[i], -t, t);
        return z;
    }

    public void Complete(float[] images) => _done.TrySetResult(images);

    public void Fail(Exception e) => _done.TrySetException(e);
}
