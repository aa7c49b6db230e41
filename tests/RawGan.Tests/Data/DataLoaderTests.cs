using RawGan.Data;
using RawGan.Tensors;

namespace RawGan.Tests.Data;

public class DataLoaderTests
{
    /// <summary>Sample i is 2 floats: i itself and its flip draw, so batches show both order and augmentation.</summary>
    private sealed class Numbers(int count, int failAt = -1) : IDataset
    {
        private int _loads;

        public int Loads => Volatile.Read(ref _loads);
        public int Count => count;
        public int Channels => 1;
        public int Height => 1;
        public int Width => 2;
        public int ClassCount => 3;
        public IReadOnlyList<string> Classes => ["a", "b", "c"];

        public void Load(int index, Span<float> pixels, ulong augmentSeed, out int label)
        {
            Interlocked.Increment(ref _loads);
            if (index == failAt) throw new InvalidDataException($"Cannot decode image 'sample-{index}.png'.");
            pixels[0] = index;
            pixels[1] = (float)Philox.Uniform(augmentSeed, 0);
            label = index % 3;
        }
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static int[] Indices(IEnumerable<Batch> batches) =>
        batches.SelectMany(b => b.Images.Where((_, i) => i % 2 == 0)).Select(v => (int)v).ToArray();

    [Fact]
    public void Same_seed_same_order_and_each_epoch_a_new_permutation()
    {
        var data = new Numbers(50);
        int[] first = Indices(new DataLoader(data, 8, seed: 7).Epoch(0, cancellationToken: Token));
        int[] again = Indices(new DataLoader(data, 8, seed: 7, workers: 1, prefetch: 1).Epoch(0, cancellationToken: Token));
        int[] next = Indices(new DataLoader(data, 8, seed: 7).Epoch(1, cancellationToken: Token));
        int[] otherSeed = Indices(new DataLoader(data, 8, seed: 8).Epoch(0, cancellationToken: Token));

        Assert.Equal(first, again);
        Assert.NotEqual(first, next);
        Assert.NotEqual(first, otherSeed);
        Assert.Equal(Enumerable.Range(0, 50), first.Order());
        Assert.Equal(Enumerable.Range(0, 50), next.Order());
        Assert.Equal(Enumerable.Range(0, 50), Indices(new DataLoader(data, 8, seed: 7, shuffle: false).Epoch(3, cancellationToken: Token)));
    }

    [Fact]
    public void Augmentation_draws_do_not_depend_on_threads_and_change_with_the_epoch()
    {
        var data = new Numbers(40);
        float[] Draws(DataLoader loader, int epoch) => loader.Epoch(epoch, cancellationToken: Token)
            .SelectMany(b => b.Images.Chunk(2)).OrderBy(s => s[0]).Select(s => s[1]).ToArray();

        float[] parallel = Draws(new DataLoader(data, 16, seed: 3, workers: 4), 0);
        Assert.Equal(parallel, Draws(new DataLoader(data, 5, seed: 3, shuffle: false, workers: 1), 0));
        Assert.NotEqual(parallel, Draws(new DataLoader(data, 16, seed: 3), 1));
    }

    [Fact]
    public void Every_epoch_and_sample_has_its_own_order_and_augmentation_seed()
    {
        // Several epochs at once: an epoch index dropped from, or folded wrongly into, the shuffle offset or the
        // augmentation counter makes two epochs share an order, or two (epoch, sample) pairs share a draw.
        const int count = 24, epochs = 4;
        var loader = new DataLoader(new Numbers(count), 8, seed: 5);
        int[][] orders = Enumerable.Range(0, epochs).Select(loader.Order).ToArray();
        for (int a = 0; a < epochs; a++)
            for (int b = a + 1; b < epochs; b++)
                Assert.NotEqual(orders[a], orders[b]);

        var draws = new HashSet<float>();
        for (int e = 0; e < epochs; e++)
        {
            Batch[] batches = loader.Epoch(e, cancellationToken: Token).ToArray();
            Assert.Equal(orders[e], Indices(batches));
            foreach (float[] sample in batches.SelectMany(b => b.Images.Chunk(2)))
                Assert.True(draws.Add(sample[1]), $"epoch {e}, sample {sample[0]}: its augmentation draw repeats an earlier pair's");
        }
    }

    [Fact]
    public void Labels_follow_their_samples()
    {
        foreach (Batch batch in new DataLoader(new Numbers(20), 6, seed: 1).Epoch(0, cancellationToken: Token))
            for (int i = 0; i < batch.Count; i++)
                Assert.Equal((int)batch.Images[2 * i] % 3, batch.Labels[i]);
    }

    [Theory]
    [InlineData(false, new[] { 4, 4, 2 })]
    [InlineData(true, new[] { 4, 4 })]
    public void Drop_last_decides_the_partial_batch(bool dropLast, int[] sizes)
    {
        var loader = new DataLoader(new Numbers(10), 4, seed: 0, dropLast: dropLast);
        Batch[] batches = loader.Epoch(0, cancellationToken: Token).ToArray();

        Assert.Equal(sizes.Length, loader.BatchesPerEpoch);
        Assert.Equal(sizes, batches.Select(b => b.Count));
        Assert.Equal(sizes.Select(s => 2 * s), batches.Select(b => b.Images.Length));
        Assert.Equal(Enumerable.Range(0, sizes.Length), batches.Select(b => b.Index));
    }

    [Fact]
    public void Too_few_samples_for_one_batch_with_drop_last_is_an_error()
    {
        var error = Assert.Throws<ArgumentException>(() => new DataLoader(new Numbers(5), 8, seed: 0, dropLast: true));
        Assert.Contains("5 samples", error.Message);
    }

    [Fact]
    public void Starting_at_batch_k_gives_the_tail_of_the_epoch()
    {
        var loader = new DataLoader(new Numbers(30), 4, seed: 11);
        Batch[] full = loader.Epoch(2, cancellationToken: Token).ToArray();
        Batch[] tail = loader.Epoch(2, startBatch: 5, cancellationToken: Token).ToArray();

        Assert.Equal(full.Length - 5, tail.Length);
        for (int i = 0; i < tail.Length; i++)
        {
            Assert.Equal(full[5 + i].Index, tail[i].Index);
            Assert.Equal(full[5 + i].Images, tail[i].Images);
            Assert.Equal(full[5 + i].Labels, tail[i].Labels);
        }
        Assert.Empty(loader.Epoch(2, startBatch: loader.BatchesPerEpoch, cancellationToken: Token));
        Assert.Throws<ArgumentOutOfRangeException>(() => loader.Epoch(2, startBatch: loader.BatchesPerEpoch + 1, cancellationToken: Token));
    }

    [Fact]
    public void Worker_exception_reaches_the_consumer_unwrapped()
    {
        var loader = new DataLoader(new Numbers(40, failAt: 17), 4, seed: 0, shuffle: false);
        var error = Assert.Throws<InvalidDataException>(() => loader.Epoch(0, cancellationToken: Token).ToArray());
        Assert.Contains("sample-17.png", error.Message);
    }

    [Fact]
    public void Cancellation_stops_the_epoch()
    {
        using var cancel = new CancellationTokenSource();
        var loader = new DataLoader(new Numbers(100), 4, seed: 0);
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (Batch batch in loader.Epoch(0, cancellationToken: cancel.Token))
                if (batch.Index == 2) cancel.Cancel();
        });
    }

    [Fact]
    public void Leaving_early_stops_the_workers()
    {
        var data = new Numbers(400);
        var loader = new DataLoader(data, 4, seed: 0, prefetch: 2);
        foreach (Batch batch in loader.Epoch(0, cancellationToken: Token))
            if (batch.Index == 1) break;

        int loads = data.Loads;
        Thread.Sleep(50);
        Assert.Equal(loads, data.Loads);
        Assert.True(loads < 400);
    }

    [Fact]
    public void Recycled_buffers_still_carry_the_right_samples()
    {
        var data = new Numbers(64);
        var loader = new DataLoader(data, 8, seed: 5, prefetch: 1);
        int[] expected = Indices(loader.Epoch(0, cancellationToken: Token));

        var seen = new List<int>();
        foreach (Batch batch in loader.Epoch(0, cancellationToken: Token))
        {
            seen.AddRange(batch.Images.Where((_, i) => i % 2 == 0).Select(v => (int)v));
            loader.Recycle(batch);
        }
        Assert.Equal(expected, seen);
    }
}
