using System.Collections.Concurrent;
using System.Threading.Channels;
using RawGan.Tensors;

namespace RawGan.Data;

/// <summary>
/// Batches of an <see cref="IDataset"/>, decoded by background threads while the consumer trains on the previous
/// batch. Everything is a function of (seed, epoch): the epoch's order is a Philox permutation, and each sample's
/// augmentation seed comes from (seed, epoch, sample index), so an epoch comes out the same however threads are
/// scheduled, and a resumed run can restart at any (epoch, batch) with <see cref="Epoch"/>.
/// </summary>
public sealed class DataLoader
{
    // Streams of their own, so the loader's draws never coincide with model noise drawn from the same run seed.
    private const ulong ShuffleStream = 0x5348_5546_464C_4521; // "SHUFFLE!"
    private const ulong AugmentStream = 0x4155_474D_454E_5421; // "AUGMENT!"

    private readonly ulong _seed;
    private readonly int _prefetch, _workers;
    private readonly ConcurrentQueue<(float[] Images, int[] Labels)> _pool = new();

    /// <param name="dataset">The samples; its <see cref="IDataset.Load"/> is called from several threads.</param>
    /// <param name="batchSize">Samples per batch.</param>
    /// <param name="seed">The run's seed; shuffling and augmentation derive from it.</param>
    /// <param name="shuffle">A new order every epoch (default true); false reads in index order.</param>
    /// <param name="dropLast">Drop the last batch when it would be smaller than <paramref name="batchSize"/>
    /// (default false, as PyTorch's DataLoader).</param>
    /// <param name="prefetch">Batches decoded ahead of the consumer (default 3).</param>
    /// <param name="workers">Threads decoding one batch (default 0: one per processor).</param>
    public DataLoader(IDataset dataset, int batchSize, ulong seed, bool shuffle = true, bool dropLast = false, int prefetch = 3, int workers = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(prefetch, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(workers);
        Dataset = dataset;
        BatchSize = batchSize;
        Shuffle = shuffle;
        DropLast = dropLast;
        _seed = seed;
        _prefetch = prefetch;
        _workers = workers == 0 ? Environment.ProcessorCount : workers;
        BatchesPerEpoch = dropLast ? dataset.Count / batchSize : (dataset.Count + batchSize - 1) / batchSize;
        if (BatchesPerEpoch == 0)
            throw new ArgumentException(dataset.Count == 0 ? "The data set is empty."
                : $"The data set has {dataset.Count} samples, fewer than one batch of {batchSize} (drop-last is on).", nameof(batchSize));
    }

    public IDataset Dataset { get; }
    public int BatchSize { get; }
    public bool Shuffle { get; }
    public bool DropLast { get; }
    public int BatchesPerEpoch { get; }

    /// <summary>The dataset indices of epoch <paramref name="epoch"/> in the order they are served.</summary>
    public int[] Order(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        int n = Dataset.Count;
        // Each epoch reads its own stretch of the shuffle stream (a permutation takes fewer than n draws).
        return Shuffle ? new Generator(_seed ^ ShuffleStream, (ulong)epoch * (ulong)n).Permutation(n) : Enumerable.Range(0, n).ToArray();
    }

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/> from batch <paramref name="startBatch"/> on (0 … BatchesPerEpoch),
    /// decoded in the background while the caller consumes them. A worker's exception is rethrown to the caller;
    /// cancelling <paramref name="cancellationToken"/>, or leaving the loop early, stops the workers.
    /// </summary>
    public IEnumerable<Batch> Epoch(int epoch, int startBatch = 0, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        if ((uint)startBatch > (uint)BatchesPerEpoch)
            throw new ArgumentOutOfRangeException(nameof(startBatch), startBatch, $"An epoch has batches 0 to {BatchesPerEpoch - 1}.");
        return Stream(epoch, startBatch, cancellationToken);
    }

    /// <summary>
    /// Hands a batch's arrays back for reuse by a later batch, sparing the allocation. Optional: call it once you
    /// no longer need the batch (its arrays will be overwritten); batches never recycled are simply collected.
    /// </summary>
    public void Recycle(Batch batch)
    {
        if (batch.Count == BatchSize && _pool.Count < _prefetch + 2) _pool.Enqueue((batch.Images, batch.Labels));
    }

    private IEnumerable<Batch> Stream(int epoch, int startBatch, CancellationToken cancellationToken)
    {
        int[] order = Order(epoch);
        var ready = Channel.CreateBounded<Batch>(new BoundedChannelOptions(_prefetch) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task producer = Task.Run(() => Produce(epoch, order, startBatch, ready.Writer, stop.Token));
        try
        {
            while (Next(ready.Reader, cancellationToken) is { } batch) yield return batch;
        }
        finally
        {
            // Wait, so no worker still touches the dataset once the caller has moved on. Produce never throws.
            stop.Cancel();
            producer.Wait();
        }
    }

    private async Task Produce(int epoch, int[] order, int startBatch, ChannelWriter<Batch> writer, CancellationToken token)
    {
        try
        {
            for (int b = startBatch; b < BatchesPerEpoch; b++)
                await writer.WriteAsync(Assemble(epoch, b, order, token), token);
            writer.TryComplete();
        }
        catch (AggregateException e)
        {
            writer.TryComplete(e.InnerExceptions[0]); // Parallel.For's wrapper: the caller wants the dataset's own error
        }
        catch (Exception e)
        {
            writer.TryComplete(e);
        }
    }

    private Batch Assemble(int epoch, int index, int[] order, CancellationToken token)
    {
        int first = index * BatchSize, count = Math.Min(BatchSize, order.Length - first);
        int sampleSize = Dataset.Channels * Dataset.Height * Dataset.Width;
        (float[] images, int[] labels) = count == BatchSize && _pool.TryDequeue(out var reused)
            ? reused
            : (new float[count * sampleSize], new int[count]);
        var options = new ParallelOptions { MaxDegreeOfParallelism = _workers, CancellationToken = token };
        Parallel.For(0, count, options, i =>
        {
            int sample = order[first + i];
            Dataset.Load(sample, images.AsSpan(i * sampleSize, sampleSize), AugmentSeed(epoch, sample), out labels[i]);
        });
        return new Batch(epoch, index, images, labels);
    }

    private ulong AugmentSeed(int epoch, int sample)
    {
        (uint low, uint high) = Philox.Draw(_seed ^ AugmentStream, (ulong)epoch * (ulong)Dataset.Count + (ulong)sample);
        return (ulong)high << 32 | low;
    }

    /// <summary>The next batch, or null at the end. A channel completed with a worker's exception throws that
    /// exception itself from WaitToReadAsync, with its original stack.</summary>
    private static Batch? Next(ChannelReader<Batch> reader, CancellationToken cancellationToken)
    {
        while (reader.WaitToReadAsync(cancellationToken).AsTask().GetAwaiter().GetResult())
            if (reader.TryRead(out Batch? batch)) return batch;
        return null;
    }
}

/// <summary>
/// One batch from <see cref="DataLoader"/>: batch <paramref name="Index"/> of epoch <paramref name="Epoch"/>, with
/// <paramref name="Images"/> (Count×C×H×W floats in [-1, 1]) and <paramref name="Labels"/> (Count). The last batch
/// of an epoch may be smaller when the loader keeps partial batches; the arrays are then exactly that size.
/// </summary>
public sealed record Batch(int Epoch, int Index, float[] Images, int[] Labels)
{
    /// <summary>Number of samples in this batch.</summary>
    public int Count => Labels.Length;
}
