using RawGan.Backends;
using RawGan.Backends.Cuda;
using RawGan.Tensors;

namespace RawGan.Bench;

/// <summary>
/// `RawGan.Bench kernels [cuda]`: the kernel lab's figures. Each PTX kernel family is timed through the backend's
/// IBackend method (what training calls) at 1M, 4M and 16M elements, and its achieved bandwidth — the bytes it must
/// read and write per element, as the entry's comment block in kernels/*.ptx gives them under "Traffic" — is printed
/// beside the device's copy bandwidth measured in the same run (cuMemcpyDtoDAsync, counting bytes read + written).
/// Then GEMM against cublasSgemm, the DCGAN convolutions against cuDNN, and the DCGAN batch norms against cuDNN's,
/// the libraries called directly (<see cref="CublasBench"/>, <see cref="CudnnBench"/>, <see cref="CudnnBatchNormBench"/>).
/// </summary>
internal static class KernelBench
{
    private static readonly (string Label, int Elements)[] Sizes = [("1M", 1 << 20), ("4M", 4 << 20), ("16M", 16 << 20)];

    /// <summary>The reference copy: 256 MB each way, large enough that launch and tail effects vanish.</summary>
    private const int ReferenceCopyElements = 64 << 20;

    /// <summary>Batch and channels of the batch-norm cases ([N, C, S] with S = elements / (N·C)): 128 channels sit
    /// between DCGAN-64's 64 and 512 and, at one block per channel, just under one block per multiprocessor of an
    /// H100 or H200 (132).</summary>
    private const int BnBatch = 128, BnChannels = 128;

    /// <summary>Embedding cases: a [1024, 256] table, so rows = elements / 256.</summary>
    private const int TableRows = 1024, TableWidth = 256;

    private sealed record KernelCase(string Name, double BytesPerElement, Action Run);

    private static readonly (CudaBatchNorm Path, string Forward, string Backward)[] BatchNormPaths =
    [
        (CudaBatchNorm.Ptx, $"{BatchNormKernels.PartialStats.Entry}+{BatchNormKernels.FinishStats.Entry}+{BatchNormKernels.Forward.Entry}",
            $"{BatchNormKernels.PartialGrads.Entry}+{BatchNormKernels.FinishGrads.Entry}+{BatchNormKernels.Dx.Entry}"),
        (CudaBatchNorm.CudnnSpatial, "cudnnBatchNormalizationForwardTraining[spatial]", "cudnnBatchNormalizationBackward[spatial]"),
        (CudaBatchNorm.CudnnPersistent, "cudnnBatchNormalizationForwardTraining[persistent]", "cudnnBatchNormalizationBackward[persistent]"),
    ];

    /// <summary>Runs <paramref name="work"/> with training batch norm on <paramref name="path"/>, then restores the default.</summary>
    private static void OnPath(CudaBackend b, CudaBatchNorm path, Action work)
    {
        CudaBatchNorm before = b.BatchNormPath;
        b.BatchNormPath = path;
        try { work(); }
        finally { b.BatchNormPath = before; }
    }

    public static int Run(string[] args)
    {
        if (args.Length > 1 || (args.Length == 1 && args[0] != "cuda"))
        {
            Console.Error.WriteLine("usage: RawGan.Bench kernels [cuda]");
            return 2;
        }
        CudaBackend? backend = CudaDevice.Open("kernels");
        if (backend is null) return CudaDevice.Unavailable;

        var timer = new DeviceTimer(backend);
        Console.WriteLine($"# rawgan kernels: {backend.Name} ({backend.Info}), {DeviceTimer.Method}");
        double copy = ReferenceCopy(backend, timer);
        Console.WriteLine($"# copy bandwidth (cuMemcpyDtoDAsync, {ReferenceCopyElements >> 18} MiB, 2·bytes/time): {copy:F0} GB/s" +
                          (backend.Info.PeakBandwidthGBs > 0 ? $"; theoretical DRAM bandwidth {backend.Info.PeakBandwidthGBs:F0} GB/s" : ""));
        Console.WriteLine("# kind entry:size ms GB/s %copy   (GB/s from the bytes per element each kernel must move, kernels/*.ptx \"Traffic\")");
        int failures = 0;
        foreach ((string label, int n) in Sizes)
        {
            using var scope = new TensorScope(); // this size's operands go back to the pool before the next size
            foreach (KernelCase c in Cases(backend, n))
            {
                failures += Measure($"kernel {c.Name}:{label}", () =>
                {
                    double ms = timer.MedianMilliseconds(c.Run);
                    double gbs = c.BytesPerElement * n / (ms * 1e-3) / 1e9;
                    return $"{ms:F4} {gbs:F1} {100 * gbs / copy:F1}";
                });
            }
        }
        failures += CublasBench.Run(backend, timer);
        failures += CudnnBench.Run(backend, timer);
        failures += CudnnBatchNormBench.Run(backend, timer);
        return failures == 0 ? 0 : 1;
    }

    /// <summary>Prints "<paramref name="name"/> figures", or a comment line with the error; returns the failures (0 or 1).
    /// One failing case must not hide the others' figures (unless it broke the context, which then fails them all).</summary>
    public static int Measure(string name, Func<string> figures)
    {
        try
        {
            Console.WriteLine($"{name} {figures()}");
            return 0;
        }
        catch (Exception e) when (e is CudaException or InvalidOperationException or ArgumentException or OutOfMemoryException
                                     or EntryPointNotFoundException)
        {
            Console.WriteLine($"# FAILED {name}: {e.Message}");
            return 1;
        }
    }

    private static double ReferenceCopy(CudaBackend b, DeviceTimer timer)
    {
        using var scope = new TensorScope();
        Tensor source = Tensor.Rand(new Shape(ReferenceCopyElements), new Generator(3), DType.Float32, b, -1, 1);
        Tensor destination = Tensor.Empty(new Shape(ReferenceCopyElements), DType.Float32, b);
        double ms = timer.MedianMilliseconds(() => b.Copy(source, destination));
        return 2.0 * ReferenceCopyElements * sizeof(float) / (ms * 1e-3) / 1e9;
    }

    /// <summary>
    /// The cases at <paramref name="n"/> elements, operands filled with random values (never zeros: METHOD.md), in
    /// the ranges the ops expect (probabilities for BCE, positive variances for Adam and batch norm). Names are the
    /// entries the backend launches; bytes per element are the entries' "Traffic" lines, except where noted.
    /// </summary>
    private static List<KernelCase> Cases(CudaBackend b, int n)
    {
        var rng = new Generator(1);
        Tensor Uniform(Shape shape, double low = -1, double high = 1) => Tensor.Rand(shape, rng, DType.Float32, b, low, high);
        Tensor View(Tensor t, params int[] shape) => new(t.Storage, new Shape(shape));
        var flat = new Shape(n);
        Tensor x = Uniform(flat), y = Uniform(flat), dy = Uniform(flat), dx = Uniform(flat);

        var cases = new List<KernelCase>
        {
            new("copy(cuMemcpyDtoDAsync)", 8, () => b.Copy(x, y)),
            new(ElementwiseKernels.Fill.Entry, 4, () => b.Fill(y, 0.5)),
        };
        // Strided: n elements as rows of 512 into every other half-row of a 2n buffer (slicing, concatenation).
        Tensor wide = Uniform(new Shape(2 * n));
        cases.Add(new(ElementwiseKernels.Copy2D.Entry, 8, () => b.Copy2D(x, 0, 512, wide, 0, 1024, n / 512, 512)));

        foreach (UnaryOp op in new[] { UnaryOp.Relu, UnaryOp.LeakyRelu, UnaryOp.Tanh, UnaryOp.Sigmoid })
        {
            cases.Add(new(ElementwiseKernels.UnaryForward[(int)op].Entry, 8, () => b.Unary(op, 0.2, x, y)));
            cases.Add(new(ElementwiseKernels.UnaryBackward[(int)op].Entry, 12, () => b.UnaryBackward(op, 0.2, x, y, dy, dx)));
        }
        cases.Add(new(ElementwiseKernels.Binary[(int)BinaryOp.Add].Entry, 12, () => b.Binary(BinaryOp.Add, x, y, dx)));
        cases.Add(new(ElementwiseKernels.Binary[(int)BinaryOp.Mul].Entry, 12, () => b.Binary(BinaryOp.Mul, x, y, dx)));

        // Batch-norm layout [N, C, S]; a bias [1, C, 1] broadcast over it. The bias is read from cache, so the bytes
        // that must move are x and y: 8, not the entry's worst-case 12.
        int s = n / (BnBatch * BnChannels);
        Tensor xb = View(x, BnBatch, BnChannels, s), yb = View(y, BnBatch, BnChannels, s);
        Tensor dyb = View(dy, BnBatch, BnChannels, s), dxb = View(dx, BnBatch, BnChannels, s);
        Tensor bias = Uniform(new Shape(1, BnChannels, 1));
        cases.Add(new(ElementwiseKernels.BinaryBroadcast[(int)BinaryOp.Add].Entry + "(bias)", 8, () => b.Binary(BinaryOp.Add, xb, bias, yb)));

        Tensor total = Tensor.Empty(new Shape(1), DType.Float32, b);
        cases.Add(new($"{ReduceKernels.SumBlocks.Entry}(all)", 4, () => b.SumTo(x, total)));
        Tensor rows256 = View(x, n / 256, 256), rowSums = Tensor.Empty(new Shape(n / 256, 1), DType.Float32, b);
        cases.Add(new($"{ReduceKernels.SumRows.Entry}(rows-of-256)", 4, () => b.SumTo(rows256, rowSums)));
        Tensor rows128 = View(x, 128, n / 128), columnSums = Tensor.Empty(new Shape(1, n / 128), DType.Float32, b);
        cases.Add(new($"{ReduceKernels.SumArb.Entry}(over-128-rows)", 4, () => b.SumTo(rows128, columnSums)));
        // The two-launch splits: 128 long rows cut into segments; 64 columns summed over slabs of rows.
        Tensor longRowSums = Tensor.Empty(new Shape(128, 1), DType.Float32, b);
        cases.Add(new($"{ReduceKernels.SumRows.Entry}(128-long-rows)", 4, () => b.SumTo(rows128, longRowSums)));
        Tensor narrow = View(x, n / 64, 64), narrowSums = Tensor.Empty(new Shape(1, 64), DType.Float32, b);
        cases.Add(new($"{ReduceKernels.SumArb.Entry}(64-columns)", 4, () => b.SumTo(narrow, narrowSums)));

        Tensor probability = Uniform(flat, 0.01, 0.99), target = Uniform(flat, 0, 1);
        var bce = LossKind.BinaryCrossEntropy;
        cases.Add(new(LossKernels.Forward[(int)bce].Entry, 12, () => b.Loss(bce, probability, target, y)));
        cases.Add(new(LossKernels.Backward[(int)bce].Entry, 16, () => b.LossBackward(bce, probability, target, dy, dx)));

        Shape channels = new(BnChannels);
        Tensor weight = Uniform(channels, 0.5, 1.5), shift = Uniform(channels), mean = Uniform(channels), invStd = Uniform(channels, 0.5, 1.5);
        Tensor runningMean = Uniform(channels), runningVar = Uniform(channels, 0.5, 1.5), dWeight = Uniform(channels), dBias = Uniform(channels);
        // Training forward: x read once for the statistics (each block's second pass re-reads its slice from cache),
        // then read and y written: 12 B/element from memory.
        // Training runs on each path (CudaBackend.BatchNormPath): the PTX, and cuDNN's two spatial modes.
        foreach ((CudaBatchNorm path, string forward, string backward) in BatchNormPaths)
        {
            cases.Add(new($"{forward}(train)", 12, () => OnPath(b, path,
                () => b.BatchNormForward(xb, weight, shift, runningMean, runningVar, true, 0.1, 1e-5, yb, mean, invStd))));
            cases.Add(new($"{backward}(train)", 20, () => OnPath(b, path,
                () => b.BatchNormBackward(xb, dyb, weight, mean, invStd, true, dxb, dWeight, dBias))));
        }
        // The same on channels-last activations [N·H·W, C], the PTX's column-tile sums (cuDNN's paths are in the step).
        Tensor Nhwc(Tensor t) => new(t.Storage, new Shape(BnBatch, BnChannels, s, 1), MemoryFormat.ChannelsLast);
        Tensor xc = Nhwc(x), yc = Nhwc(y), dyc = Nhwc(dy), dxc = Nhwc(dx);
        cases.Add(new($"{BatchNormKernels.PartialStatsCols.Entry}+{BatchNormKernels.FinishStats.Entry}+{BatchNormKernels.Forward.Entry}(train, channels-last)", 12,
            () => OnPath(b, CudaBatchNorm.Ptx, () => b.BatchNormForward(xc, weight, shift, runningMean, runningVar, true, 0.1, 1e-5, yc, mean, invStd))));
        cases.Add(new($"{BatchNormKernels.PartialGradsCols.Entry}+{BatchNormKernels.FinishGrads.Entry}+{BatchNormKernels.Dx.Entry}(train, channels-last)", 20,
            () => OnPath(b, CudaBatchNorm.Ptx, () => b.BatchNormBackward(xc, dyc, weight, mean, invStd, true, dxc, dWeight, dBias))));
        cases.Add(new($"{BatchNormKernels.RunningStats.Entry}+{BatchNormKernels.Forward.Entry}(eval)", 8,
            () => b.BatchNormForward(xb, weight, shift, runningMean, runningVar, false, 0.1, 1e-5, yb, mean, invStd)));

        Tensor param = Uniform(flat), grad = Uniform(flat), m = Uniform(flat), v = Uniform(flat, 0, 1e-3);
        var hyper = new AdamHyper(2e-4, 0.5, 0.999, 1e-8, 0, 10);
        cases.Add(new(AdamKernels.Step.Entry, 28, () => b.AdamStep(param, grad, m, v, hyper)));

        // Rows of TableWidth gathered from a 1 MB table: 8 B per element and 4 per row's index, though the table
        // itself is read from L2 after the first touch.
        int rows = n / TableWidth;
        var pick = new Random(5);
        Tensor indices = Tensor.FromSpan<int>(Enumerable.Range(0, rows).Select(_ => pick.Next(TableRows)).ToArray(), new Shape(rows), DType.Int32, b);
        Tensor table = Uniform(new Shape(TableRows, TableWidth)), dTable = Uniform(new Shape(TableRows, TableWidth));
        Tensor gathered = View(y, rows, TableWidth), dGathered = View(dy, rows, TableWidth);
        cases.Add(new(EmbeddingKernels.Gather.Entry, 8 + 4.0 / TableWidth, () => b.Gather(table, indices, gathered)));
        // Its "Traffic" counts the 4 B read per element; the atomic adds land in L2 and are not counted.
        cases.Add(new(EmbeddingKernels.ScatterAdd.Entry, 4 + 4.0 / TableWidth, () => b.ScatterAdd(dGathered, indices, dTable)));

        // Pools over n/1024 planes of 32x32: Inception's reduction max pool (3x3 stride 2: 15x15 outputs, value and
        // index each) and its block average pool (3x3 stride 1 padded: 32x32 outputs). Bytes per input element, the
        // overlapping window reads served from cache.
        var reduce = new PoolGeometry(n / 1024, 1, 32, 32, 3, 3, 2, 2, 0, 0);
        var same = new PoolGeometry(n / 1024, 1, 32, 32, 3, 3, 1, 1, 1, 1);
        double outputShare = 15.0 * 15 / 1024;
        Tensor xp = View(x, reduce.InputShape), dxp = View(dx, reduce.InputShape);
        Tensor pooled = View(y, reduce.OutputShape), dPooled = View(dy, reduce.OutputShape);
        Tensor argmax = Tensor.Empty(new Shape(reduce.OutputShape), DType.Int32, b);
        cases.Add(new(PoolKernels.MaxForward.Entry + "(3x3/2)", 4 + 8 * outputShare, () => b.MaxPool2d(reduce, xp, pooled, argmax)));
        cases.Add(new(PoolKernels.MaxBackward.Entry + "(3x3/2)", 4 + 8 * outputShare, () => b.MaxPool2dBackward(reduce, dPooled, argmax, dxp)));
        Tensor averaged = View(y, same.OutputShape), dAveraged = View(dy, same.OutputShape);
        cases.Add(new(PoolKernels.AvgForward.Entry + "(3x3/1 pad 1)", 8, () => b.AvgPool2d(same, false, xp, averaged)));
        cases.Add(new(PoolKernels.AvgBackward.Entry + "(3x3/1 pad 1)", 8, () => b.AvgPool2dBackward(same, false, dAveraged, dxp)));

        cases.Add(new(RandomKernels.Uniform.Entry, 4, () => b.FillUniform(y, 7, 0, -1, 1)));
        cases.Add(new(RandomKernels.Normal.Entry, 4, () => b.FillNormal(y, 7, 0, 0, 1)));
        cases.Add(new(RandomKernels.Bernoulli.Entry, 4, () => b.FillBernoulli(y, 7, 0, 0.5, 2)));

        // The bf16 boundary (--precision bf16): n bfloat16 values packed in n/2 words.
        Tensor packed = Tensor.Zeros(new Shape((n + 1) / 2), DType.Float32, b);
        cases.Add(new(CastKernels.ToBFloat16.Entry, 6, () => b.ToBFloat16(CudaBackend.Ptr(x), CudaBackend.Ptr(packed), n)));
        cases.Add(new(CastKernels.FromBFloat16.Entry, 6, () => b.FromBFloat16(CudaBackend.Ptr(packed), CudaBackend.Ptr(dx), n)));

        // Channels-last (--channels-last): DCGAN-64's 32×32 layer with 128 channels, NCHW → NHWC and back.
        long images = n / (128 * 1024);
        cases.Add(new(LayoutKernels.Transpose.Entry + "(NCHW->NHWC, C 128)", 8, () => b.Transpose(x, y, images, 128, 1024)));
        cases.Add(new(LayoutKernels.Transpose.Entry + "(NHWC->NCHW, C 128)", 8, () => b.Transpose(y, x, images, 1024, 128)));
        return cases;
    }
}
