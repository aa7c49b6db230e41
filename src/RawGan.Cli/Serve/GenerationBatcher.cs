using System.Threading.Channels;
using RawGan.Gan;
using RawGan.Tensors;

namespace RawGan.Cli.Serve;

/// <summary>What <see cref="GenerationBatcher.TryEnqueue"/> did with a job.</summary>
internal enum Admission { Queued, QueueFull, ShuttingDown }

/// <summary>
/// Dynamic batching for one model: the jobs queued while the previous forward ran are gathered into one generator
/// forward, up to <see cref="ServeLimits.MaxBatch"/> images, the first job waiting at most
/// <see cref="ServeLimits.MaxWait"/> (default none) for more batch-mates. The generator runs in eval mode (BatchNorm with its running statistics), so an image does not depend
/// on what it was batched with. Admission is bounded by images queued (<see cref="ServeLimits.QueueImages"/>), so
/// overload is refused, never buffered without end; at shutdown, what was admitted is still generated.
/// </summary>
internal sealed class GenerationBatcher : IAsyncDisposable
{
    private readonly ServedModel _model;
    private readonly ServeLimits _limits;
    private readonly Lock _device;
    private readonly Channel<GenerationJob> _jobs = Channel.CreateUnbounded<GenerationJob>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _warm = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _worker;
    private int _queuedImages;
    private long _batches, _images;
    private int _largestBatch;

    /// <param name="model">The generator to run.</param>
    /// <param name="limits">Batch size, wait and queue bounds.</param>
    /// <param name="device">Held during each forward: models that share a device take turns on it.</param>
    public GenerationBatcher(ServedModel model, ServeLimits limits, Lock device)
    {
        _model = model;
        _limits = limits;
        _device = device;
        _worker = Task.Run(RunAsync);
    }

    public ServedModel Model => _model;
    /// <summary>Completes after the warm-up forward (the first forward pays for JIT and memory pools), or fails with it.</summary>
    public Task Warm => _warm.Task;
    /// <summary>Images admitted and not yet generated.</summary>
    public int QueuedImages => Volatile.Read(ref _queuedImages);
    public long Batches => Interlocked.Read(ref _batches);
    public long ImagesGenerated => Interlocked.Read(ref _images);
    public int LargestBatch => Volatile.Read(ref _largestBatch);

    public Admission TryEnqueue(GenerationJob job)
    {
        if (Interlocked.Add(ref _queuedImages, job.Count) > _limits.QueueImages)
        {
            Interlocked.Add(ref _queuedImages, -job.Count);
            return Admission.QueueFull;
        }
        if (_jobs.Writer.TryWrite(job)) return Admission.Queued;
        Interlocked.Add(ref _queuedImages, -job.Count);
        return Admission.ShuttingDown;
    }

    /// <summary>Refuses new jobs; those already admitted are still generated.</summary>
    public void BeginShutdown() => _jobs.Writer.TryComplete();

    /// <summary>Refuses new jobs and waits until the admitted ones are done.</summary>
    public async ValueTask DisposeAsync()
    {
        BeginShutdown();
        await _worker.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        try
        {
            Forward([new GenerationJob(1, 0, null, null, _model.Generator.IsConditional ? [0] : null)]);
            _warm.TrySetResult();
        }
        catch (Exception e)
        {
            _warm.TrySetException(e);
        }

        ChannelReader<GenerationJob> reader = _jobs.Reader;
        GenerationJob? next = null;
        while (next is not null || await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            if (next is null && !reader.TryRead(out next)) continue;
            var batch = new List<GenerationJob> { next };
            int images = next.Count;
            next = null;
            using var window = new CancellationTokenSource(_limits.MaxWait);
            while (images < _limits.MaxBatch)
            {
                if (reader.TryRead(out GenerationJob? job))
                {
                    if (images + job.Count > _limits.MaxBatch)
                    {
                        next = job; // starts the next batch
                        break;
                    }
                    batch.Add(job);
                    images += job.Count;
                }
                else if (!await WaitForMore(reader, window.Token).ConfigureAwait(false))
                {
                    break;
                }
            }
            Run(batch, images);
        }
    }

    /// <summary>True when another job can be read before the batch's window closes.</summary>
    private static async Task<bool> WaitForMore(ChannelReader<GenerationJob> reader, CancellationToken window)
    {
        if (window.IsCancellationRequested) return false;
        try
        {
            return await reader.WaitToReadAsync(window).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void Run(List<GenerationJob> batch, int images)
    {
        try
        {
            float[] pixels = Forward(batch);
            int per = _model.ImageFloats, offset = 0;
            foreach (GenerationJob job in batch)
            {
                job.Complete(pixels.AsSpan(offset * per, job.Count * per).ToArray());
                offset += job.Count;
            }
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _images, images);
            if (images > _largestBatch) Volatile.Write(ref _largestBatch, images);
        }
        catch (Exception e)
        {
            foreach (GenerationJob job in batch) job.Fail(e);
        }
        finally
        {
            Interlocked.Add(ref _queuedImages, -images);
        }
    }

    /// <summary>One generator forward over the jobs' latent codes, in order.</summary>
    private float[] Forward(IReadOnlyList<GenerationJob> jobs)
    {
        int nz = _model.Nz, count = jobs.Sum(j => j.Count);
        var z = new float[count * nz];
        int[]? labels = _model.Generator.IsConditional ? new int[count] : null;
        lock (_device)
        {
            using var scope = new TensorScope();
            int row = 0;
            foreach (GenerationJob job in jobs)
            {
                job.Latents(_model.Backend, nz).CopyTo(z, row * nz);
                job.Labels?.CopyTo(labels!, row);
                row += job.Count;
            }
            Tensor zt = Tensor.FromSpan<float>(z, new Shape(count, nz), DType.Float32, _model.Backend);
            Tensor? lt = labels is null ? null : Tensor.FromSpan<int>(labels, new Shape(count), DType.Int32, _model.Backend);
            return Sampling.Generate(_model.Generator, zt, lt);
        }
    }
}
