using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RawGan.Backends.Cpu;

/// <summary>
/// An eval-mode ConvTranspose2d with its (folded) weight laid out once for the sub-pixel decomposition, and its bias
/// and activation applied in the product's epilogue (<see cref="ConvEpilogue"/>): the CPU inference path of
/// <c>Nn.FusedLayer</c>. Float32, AVX-512 (<see cref="Supported"/>).
/// <para>
/// With stride s, output pixel oy = s·iy - padTop + ky, so the output splits into s×s phases (oy mod s, ox mod s)
/// and phase py only ever meets the taps ky ≡ py + padTop (mod s): each phase is a small stride-1 convolution of the
/// input (2×2 for DCGAN's 4×4 stride-2 layers), one product C[Cout, pixels of the phase] = Wpᵀ · B whose entries
/// are each a whole output pixel. No column matrix is scattered back and added (col2im), nothing is zeroed first,
/// and each 16×16 register tile gets bias and activation and is written to its pixels while it is in registers.
/// The input is copied once into a zero-bordered buffer, so the phase's im2col panels (B, 16 pixels wide) are
/// gathered without bounds tests; the weight (A) is read in place, <see cref="SgemmThin.Kernel"/>'s layout.
/// </para>
/// <para>
/// A 1×1 input with a kernel the size of the output (DCGAN's first layer, 1×1 → 4×4) is a plain product per output
/// pixel, y[n, ·, r, s] = x[n] · W[·, ·, r, s]: there the image is the broadcast operand and the weight's rows are
/// streamed 64 channels at a time (<see cref="Row64"/>), the shape that stays efficient at batch 1.
/// </para>
/// Every output value is one sum over its taps in a fixed order (one FMA chain per element, whatever the batch, the
/// group of images or the thread), so an image's bits do not depend on what it is batched with. Inference only:
/// training keeps <see cref="FastConv"/> (the gradients need the plain adjoint). No PTX twin: on a GPU the
/// transposed convolutions are cuDNN's, and folding (Nn/Fusion.cs) already applies there; this layout is for the
/// CPU's register tiles.
/// </summary>
internal sealed unsafe class FusedConvTranspose
{
    private const int Tile = SgemmThin.Rows; // 16 output channels × 16 output pixels per register tile
    private const int Wide = 64;             // channels per dense row product
    private const int Few = 4;               // live channels at most for FewRows, and its panels per call
    private const int CompactPanels = 4;     // up to this many 16-pixel panels a quantised weight is read compact
    private const int Slice = 128;           // depth per pass of a 16-channel block: its A slice (8 KB) stays in L1

    /// <summary>B of one work item (its im2col panels) at most about this many floats, half of a 1 MB L2.</summary>
    private const long PanelFloats = 1L << 17;

    /// <summary>Below about a million multiply-adds one thread does it all (as <see cref="Sgemm"/>).</summary>
    private const long SerialMacs = 1L << 20;

    [ThreadStatic] private static PackBuffer? t_padded;
    [ThreadStatic] private static PackBuffer? t_panels;
    [ThreadStatic] private static int[]? t_columns;
    [ThreadStatic] private static PackBuffer? t_tiles;
    [ThreadStatic] private static PackBuffer? t_widened;

    private readonly int _cin, _cout, _coutPad, _r, _s, _strideH, _strideW, _padTop, _padLeft;
    private readonly Phase[] _phases;
    private readonly float[]? _dense; // stride 1, no padding: the weight per (pixel, chunk of channels) as [Cin, width]
    private readonly ConvEpilogue _epilogue;
    private readonly float[]? _channelScale; // int8: each output channel's scale

    /// <summary>One output phase (py, px): its taps ky = ry + s·ty (ty below Ty), kx likewise, which read input row
    /// iy = BaseY + u - ty for the phase's output row u; and its weight Wpᵀ [Cin·Ty·Tx, Cout padded to 16] stored by
    /// blocks of 16 channels ([block][row][16]), so each register tile streams one contiguous block.</summary>
    private sealed record Phase(int Py, int Px, int Ty, int Tx, int BaseY, int BaseX, int Depth, float[] Weight)
    {
        /// <summary>With <c>--quantize</c>: the same weight as int8 (sbyte[]) or bf16 (ushort[]) in the same layout.</summary>
        public Array? Compact { get; init; }
    }

    public static bool Supported => SgemmThin.Supported && Avx2.IsSupported;

    /// <summary>Lays out <paramref name="weight"/> ([Cin, Cout, R, S], PyTorch's ConvTranspose2d layout, already
    /// folded) per phase, for the layer with these stride and leading paddings and this bias and activation. With a
    /// weight held as int8 or bf16 (<c>--quantize</c>), thin products (a few images) read that compact copy and widen
    /// a block at a time; the weight given is then its dequantised float32 values, which wider products read, so
    /// both give the same bits.</summary>
    public FusedConvTranspose(ReadOnlySpan<float> weight, int cin, int cout, int r, int s, (int H, int W) stride, int padTop, int padLeft,
                              float[]? bias, UnaryOp? activation, float alpha, QuantizedMatrix? quantized = null)
    {
        if (!Supported) throw new PlatformNotSupportedException("The fused transposed convolution needs AVX-512.");
        if (weight.Length != (long)cin * cout * r * s) throw new ArgumentException($"Weight of {weight.Length} values for [{cin}, {cout}, {r}, {s}].");
        (_cin, _cout, _r, _s, _strideH, _strideW, _padTop, _padLeft) = (cin, cout, r, s, stride.H, stride.W, padTop, padLeft);
        _coutPad = (cout + Tile - 1) / Tile * Tile;
        if (quantized is { Kind: Quantization.Int8 })
        {
            _channelScale = GC.AllocateArray<float>(_coutPad, pinned: true);
            for (int co = 0; co < cout; co++) _channelScale[co] = quantized.ColumnScale[co * r * s];
        }
        _epilogue = new ConvEpilogue(bias, activation, alpha);
        _phases = new Phase[_strideH * _strideW];
        for (int py = 0; py < _strideH; py++)
        for (int px = 0; px < _strideW; px++)
            _phases[py * _strideW + px] = MakePhase(weight, py, px, quantized);
        if (stride == (1, 1) && padTop == 0 && padLeft == 0) _dense = DenseWeight(weight);
    }

    /// <summary>The weight for <see cref="Dense"/>: per output pixel and chunk of channels (Cout padded to 16), one
    /// contiguous block [Cin, width], so each item streams its block (rows Cin·R·S apart would share a few L1 sets).</summary>
    private float[] DenseWeight(ReadOnlySpan<float> weight)
    {
        int pixels = _r * _s;
        var dense = GC.AllocateArray<float>(_cin * pixels * _coutPad, pinned: true);
        for (int pixel = 0; pixel < pixels; pixel++)
        for (int c0 = 0; c0 < _coutPad; c0 += Width(c0))
        {
            int width = Width(c0);
            long block = ((long)pixel * _coutPad + c0) * _cin;
            for (int ci = 0; ci < _cin; ci++)
            for (int c = 0; c < width && c0 + c < _cout; c++)
                dense[block + (long)ci * width + c] = weight[(ci * _cout + c0 + c) * pixels + pixel];
        }
        return dense;
    }

    /// <summary>Channels of the dense chunk starting at c0: 64, and 16 at a time for the last few.</summary>
    private int Width(int c0) => c0 + Wide <= _coutPad ? Wide : Tile;

    private Phase MakePhase(ReadOnlySpan<float> weight, int py, int px, QuantizedMatrix? quantized)
    {
        int ry = (py + _padTop) % _strideH, rx = (px + _padLeft) % _strideW;
        int ty = ry < _r ? (_r - ry + _strideH - 1) / _strideH : 0, tx = rx < _s ? (_s - rx + _strideW - 1) / _strideW : 0;
        int depth = _cin * ty * tx;
        float[] wp = Layout(weight, depth, ty, tx, ry, rx);
        Array? compact = quantized?.Kind switch
        {
            Quantization.Int8 => Layout(new ReadOnlySpan<sbyte>(quantized.Int8, weight.Length), depth, ty, tx, ry, rx),
            Quantization.Bf16 => Layout(new ReadOnlySpan<ushort>(quantized.Bf16, weight.Length), depth, ty, tx, ry, rx),
            _ => null,
        };
        return new Phase(py, px, ty, tx, (py + _padTop) / _strideH, (px + _padLeft) / _strideW, depth, wp) { Compact = compact };
    }

    /// <summary>A phase's taps of a [Cin, Cout, R, S] weight as Wpᵀ by blocks of 16 channels: [block][row][16].</summary>
    private T[] Layout<T>(ReadOnlySpan<T> weight, int depth, int ty, int tx, int ry, int rx) where T : unmanaged
    {
        var wp = GC.AllocateArray<T>(depth * _coutPad, pinned: true);
        for (int ci = 0; ci < _cin; ci++)
        for (int a = 0; a < ty; a++)
        for (int b = 0; b < tx; b++)
        {
            int row = (ci * ty + a) * tx + b, ky = ry + _strideH * a, kx = rx + _strideW * b;
            for (int co = 0; co < _cout; co++)
                wp[((long)(co / Tile) * depth + row) * Tile + co % Tile] = weight[((ci * _cout + co) * _r + ky) * _s + kx];
        }
        return wp;
    }

    /// <summary>Block <paramref name="block"/> of the compact weight widened to float32 into <paramref name="a"/>: the
    /// dequantised values bit for bit (int8 q·scale rounded once, bf16 exact), so it does not matter which one a
    /// product reads.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Widen(Array compact, int block, int depth, float* a)
    {
        long start = (long)block * depth * Tile, count = (long)depth * Tile;
        if (compact is ushort[] bf16)
            fixed (ushort* h = &bf16[start])
                for (long i = 0; i < count; i += Tile)
                    Avx512F.ShiftLeftLogical(Avx512F.ConvertToVector512UInt32(Vector256.Load(h + i)), 16).AsSingle().Store(a + i);
        else
            fixed (sbyte* q = &((sbyte[])compact)[start])
            fixed (float* scale = &_channelScale![block * Tile])
            {
                Vector512<float> s = Vector512.Load(scale);
                for (long i = 0; i < count; i += Tile)
                    (Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.Load(q + i))) * s).Store(a + i);
            }
    }

    /// <summary>y = act(conv_transpose(x) + bias) for g, the geometry of the convolution this is the adjoint of
    /// (as F.ConvTranspose2d builds it: g.P×g.Q is the input, g.H×g.W the output).</summary>
    public void Forward(ConvGeometry g, float* x, float* y)
    {
        if (g.K != _cin || g.C != _cout || g.R != _r || g.S != _s || g.StrideH != _strideH || g.StrideW != _strideW ||
            g.PadTop != _padTop || g.PadLeft != _padLeft)
            throw new ArgumentException($"Fused conv_transpose2d prepared for [{_cin}, {_cout}, {_r}, {_s}] stride ({_strideH},{_strideW}) padding ({_padTop},{_padLeft}) run on {g}.");
        if (g.N == 0) return;
        if (IsDense(g)) Dense(g, x, y);
        else Phases(g, x, y);
    }

    private bool IsDense(ConvGeometry g) => _dense is not null && g is { P: 1, Q: 1 } && g.H == _r && g.W == _s;

    // ---- 1×1 input: one row product per image and output pixel ------------------------------------------------

    private void Dense(ConvGeometry g, float* x, float* y)
    {
        int pixels = _r * _s, chunks = _coutPad / Wide + _coutPad % Wide / Tile;
        long items = (long)pixels * chunks;
        int threads = (long)g.N * _cin * pixels * _coutPad < SerialMacs ? 1 : (int)Math.Min(CpuParallel.Threads, items);
        if (threads == 1) DenseItems(g, x, y, 0, items, chunks);
        else Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads },
            t => DenseItems(g, x, y, items * t / threads, items * (t + 1) / threads, chunks));
    }

    /// <summary>Items (pixel, chunk of channels) [from, to): for each, every image, so the weight's block (Cin rows
    /// of 64 channels, 25 KB for DCGAN's 100) is read from memory once and from L1 for the other images.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void DenseItems(ConvGeometry g, float* x, float* y, long from, long to, int chunks)
    {
        float* tile = stackalloc float[Wide];
        int pixels = _r * _s, full = _coutPad / Wide;
        fixed (float* w = _dense)
            for (long item = from; item < to; item++)
            {
                int pixel = (int)(item / chunks), chunk = (int)(item % chunks);
                int c0 = chunk < full ? chunk * Wide : full * Wide + (chunk - full) * Tile, width = Width(c0);
                float* b = w + ((long)pixel * _coutPad + c0) * _cin;
                for (int n = 0; n < g.N; n++)
                {
                    float* a = x + (long)n * _cin;
                    if (width == Wide) Row64(_cin, a, b, Wide, tile);
                    else Row16(_cin, a, b, Tile, tile);
                    _epilogue.ApplyAcross(tile, width, c0);
                    float* yn = y + (long)n * _cout * pixels + pixel;
                    for (int c = 0; c < width && c0 + c < _cout; c++) yn[(long)(c0 + c) * pixels] = tile[c];
                }
            }
    }

    /// <summary>c[0 .. 64) = Σ_p a[p]·b[p·ldb + 0 .. 64): four FMA chains, one per vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row64(int k, float* a, float* b, nint ldb, float* c)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
        for (int p = 0; p < k; p++, b += ldb)
        {
            Vector512<float> ap = Vector512.Create(a[p]);
            c0 = Avx512F.FusedMultiplyAdd(ap, Vector512.Load(b), c0);
            c1 = Avx512F.FusedMultiplyAdd(ap, Vector512.Load(b + 16), c1);
            c2 = Avx512F.FusedMultiplyAdd(ap, Vector512.Load(b + 32), c2);
            c3 = Avx512F.FusedMultiplyAdd(ap, Vector512.Load(b + 48), c3);
        }
        c0.Store(c); c1.Store(c + 16); c2.Store(c + 32); c3.Store(c + 48);
    }

    /// <summary><see cref="Row64"/> for the last 16 channels when the padded count is not a multiple of 64.</summary>
    private static void Row16(int k, float* a, float* b, nint ldb, float* c)
    {
        Vector512<float> c0 = default;
        for (int p = 0; p < k; p++, b += ldb) c0 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[p]), Vector512.Load(b), c0);
        c0.Store(c);
    }

    // ---- the sub-pixel phases --------------------------------------------------------------------------------

    /// <summary>The input with the zero border the phases' taps reach into, and the shape of the work.</summary>
    private readonly struct Plan(float* padded, int hp, int wp, int padY, int padX, int group, int chunks)
    {
        public float* Padded { get; } = padded;
        public int Hp { get; } = hp;
        public int Wp { get; } = wp;
        public int PadY { get; } = padY;
        public int PadX { get; } = padX;
        public int Group { get; } = group;
        public int Chunks { get; } = chunks;
    }

    private void Phases(ConvGeometry g, float* x, float* y)
    {
        int h = g.P, w = g.Q;
        int padTop = 0, padBottom = 0, padLeft = 0, padRight = 0, uv = 1, depth = 1;
        foreach (Phase ph in _phases)
        {
            int u = Rows(g.H, ph.Py, _strideH), v = Rows(g.W, ph.Px, _strideW);
            if (u == 0 || v == 0 || ph.Depth == 0) continue;
            padTop = Math.Max(padTop, ph.Ty - 1 - ph.BaseY);
            padBottom = Math.Max(padBottom, ph.BaseY + u - 1 - (h - 1));
            padLeft = Math.Max(padLeft, ph.Tx - 1 - ph.BaseX);
            padRight = Math.Max(padRight, ph.BaseX + v - 1 - (w - 1));
            uv = Math.Max(uv, u * v);
            depth = Math.Max(depth, ph.Depth);
        }
        int hp = h + padTop + padBottom, wp = w + padLeft + padRight;
        float* padded = (t_padded ??= new PackBuffer()).Get((long)g.N * _cin * hp * wp);
        Pad(x, g.N * _cin, h, w, padded, hp, wp, padTop, padLeft);

        int group = (int)Math.Clamp(PanelFloats / ((long)depth * uv), 1, g.N), groups = (g.N + group - 1) / group;
        int blocks = _coutPad / Tile, threads = CpuParallel.Threads;
        if (g.MacCount < SerialMacs) threads = 1;
        int chunks = Math.Min(blocks, (threads + groups * _phases.Length - 1) / (groups * _phases.Length));
        var plan = new Plan(padded, hp, wp, padTop, padLeft, group, chunks);
        int items = groups * _phases.Length * chunks;
        if (threads == 1) for (int i = 0; i < items; i++) Item(g, plan, i, y);
        else Parallel.For(0, items, new ParallelOptions { MaxDegreeOfParallelism = threads }, i => Item(g, plan, i, y));
    }

    /// <summary>Output rows (or columns) o &lt; size with o ≡ phase (mod stride).</summary>
    private static int Rows(int size, int phase, int stride) => phase < size ? (size - phase + stride - 1) / stride : 0;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pad(float* x, int planes, int h, int w, float* padded, int hp, int wp, int top, int left)
    {
        // Only the border is cleared: the interior is overwritten.
        for (int plane = 0; plane < planes; plane++)
        {
            float* p = padded + (long)plane * hp * wp;
            new Span<float>(p, top * wp).Clear();
            new Span<float>(p + (long)(top + h) * wp, (hp - top - h) * wp).Clear();
            for (int row = 0; row < h; row++)
            {
                float* d = p + (long)(top + row) * wp;
                new Span<float>(d, left).Clear();
                new ReadOnlySpan<float>(x + ((long)plane * h + row) * w, w).CopyTo(new Span<float>(d + left, w));
                new Span<float>(d + left + w, wp - left - w).Clear();
            }
        }
    }

    /// <summary>One work item: a group of images, one phase, one chunk of the 16-channel row blocks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Item(ConvGeometry g, Plan plan, int item, float* y)
    {
        int chunk = item % plan.Chunks, phaseIndex = item / plan.Chunks % _phases.Length, groupIndex = item / plan.Chunks / _phases.Length;
        Phase ph = _phases[phaseIndex];
        int u = Rows(g.H, ph.Py, _strideH), v = Rows(g.W, ph.Px, _strideW);
        if (u == 0 || v == 0) return;
        int n0 = groupIndex * plan.Group, count = Math.Min(plan.Group, g.N - n0), depth = ph.Depth;
        int columns = count * u * v, panels = (columns + Tile - 1) / Tile;
        int padded = (panels + Few - 1) / Few * Few; // whole groups of four panels for FewRows

        // Where every panel is 16 pixels of one row (v a multiple of 16), the kernels read B from the padded input in
        // place: no packing (an RGB layer's B would be 85 times its output, each value used by at most 4 channels).
        bool direct = v % Tile == 0;

        // Each column (image, u, v) of the phase: where its tap (0, 0) reads the padded input, where its pixel goes;
        // then, for the direct reads, each tap's offset.
        int mapLength = 2 * padded * Tile + (direct ? depth : 0);
        int[] map = t_columns is { } m && m.Length >= mapLength ? m : t_columns = new int[mapLength];
        long planeIn = (long)plan.Hp * plan.Wp, planeOut = (long)g.H * g.W;
        fixed (int* columnIn = map)
        {
            int* columnOut = columnIn + padded * Tile;
            int c = 0;
            for (int i = 0; i < count; i++)
            for (int uu = 0; uu < u; uu++)
            {
                long rowIn = (n0 + i) * _cin * planeIn + (ph.BaseY + uu + plan.PadY) * plan.Wp + ph.BaseX + plan.PadX;
                long rowOut = (n0 + i) * _cout * planeOut + (long)(ph.Py + _strideH * uu) * g.W + ph.Px;
                for (int vv = 0; vv < v; vv++, c++)
                {
                    columnIn[c] = checked((int)(rowIn + vv));
                    columnOut[c] = checked((int)(rowOut + _strideW * vv));
                }
            }
            for (; c < padded * Tile; c++) // columns past the end repeat the last one: read, never written
            {
                columnIn[c] = columnIn[columns - 1];
                columnOut[c] = columnOut[columns - 1];
            }
            long panelSize = (long)depth * Tile;
            int* taps = columnOut + padded * Tile;
            float* b = null;
            if (direct) Taps(plan, ph, taps);
            else
            {
                b = (t_panels ??= new PackBuffer()).Get(Math.Max(1, padded * panelSize));
                for (int panel = 0; panel < padded; panel++)
                    Gather(plan, ph, columnIn + panel * Tile, b + panel * panelSize);
            }

            int blocks = _coutPad / Tile, from = blocks * chunk / plan.Chunks, to = blocks * (chunk + 1) / plan.Chunks;
            float* tiles = (t_tiles ??= new PackBuffer()).Get((long)padded * Tile * Tile);
            fixed (float* wp = ph.Weight)
                for (int block = from; block < to; block++)
                {
                    int rows = Math.Min(Tile, _cout - block * Tile);
                    float* a = wp + (long)block * depth * Tile;
                    // A thin product reads each weight a few times: quantised, it reads a quarter or half the bytes.
                    if (ph.Compact is not null && panels <= CompactPanels)
                        Widen(ph.Compact, block, depth, a = (t_widened ??= new PackBuffer()).Get(Math.Max(1, (long)depth * Tile)));
                    if (rows > Few)
                    {
                        // Depth slices, each swept over all panels: the block's slice of A stays in L1 while B's
                        // panels stream from L2. Accumulating continues each element's FMA chain, so the bits are
                        // those of one pass over the whole depth. A single panel reuses nothing: one long stream.
                        int slice = panels > 1 ? Slice : Math.Max(depth, 1);
                        for (int p0 = 0; p0 < depth || p0 == 0; p0 += slice)
                        {
                            int kc = Math.Min(slice, depth - p0);
                            for (int panel = 0; panel < panels; panel++)
                            {
                                float* tile = tiles + panel * Tile * Tile;
                                if (direct) SgemmThin.Kernel(kc, a + p0 * Tile, Tile, new DirectRows(plan.Padded + columnIn[panel * Tile], taps + p0), tile, accumulate: p0 > 0);
                                else SgemmThin.Kernel(kc, a + p0 * Tile, Tile, b + panel * panelSize + p0 * Tile, tile, accumulate: p0 > 0);
                            }
                        }
                        for (int panel = 0; panel < panels; panel++)
                            Store(tiles + panel * Tile * Tile, Tile, rows, block, Math.Min(Tile, columns - panel * Tile), columnOut + panel * Tile, y, planeOut);
                        continue;
                    }
                    // At most four live channels (an RGB layer's): four panels per call instead of 16 rows of which
                    // 13 would be padding. Panels past the end read the first one's: valid memory, never written out.
                    for (int panel = 0; panel < panels; panel += Few)
                    {
                        int q1 = panel + 1 < panels ? panel + 1 : panel, q2 = panel + 2 < panels ? panel + 2 : panel, q3 = panel + 3 < panels ? panel + 3 : panel;
                        if (direct)
                            FewRows(depth, a, Tile, new DirectRows(plan.Padded + columnIn[panel * Tile], taps), new DirectRows(plan.Padded + columnIn[q1 * Tile], taps),
                                new DirectRows(plan.Padded + columnIn[q2 * Tile], taps), new DirectRows(plan.Padded + columnIn[q3 * Tile], taps), tiles);
                        else
                            FewRows(depth, a, Tile, new PackedRows(b + panel * panelSize), new PackedRows(b + q1 * panelSize),
                                new PackedRows(b + q2 * panelSize), new PackedRows(b + q3 * panelSize), tiles);
                        Store(tiles, Few * Tile, rows, block, Math.Min(Few * Tile, columns - panel * Tile), columnOut + panel * Tile, y, planeOut);
                    }
                }
        }
    }

    /// <summary>The epilogue of one tile (rows of <paramref name="width"/> values, one row per channel of the block):
    /// bias and activation, then each live value to its output pixel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Store(float* tile, int width, int rows, int block, int live, int* outs, float* y, long planeOut)
    {
        for (int row = 0; row < rows; row++)
        {
            float* t = tile + row * width;
            _epilogue.Apply(t, width, block * Tile + row);
            float* yc = y + (block * Tile + row) * planeOut;
            for (int j = 0; j < live; j++) yc[outs[j]] = t[j];
        }
    }

    /// <summary>tile[i·64 + 16·q + j] = Σ_p a[p·lda + i]·(row p of panel q)[j] for i below 4, q below 4, j below 16:
    /// four rows of A against four panels of B, 16 FMA chains (the same chain per element as
    /// <see cref="SgemmThin.Kernel{TRows}"/>'s, so which of the two ran never shows in the bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FewRows<TRows>(int k, float* a, nint lda, TRows b0, TRows b1, TRows b2, TRows b3, float* tile) where TRows : struct, IPanelRows
    {
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default, c30 = default, c31 = default, c32 = default, c33 = default;
        for (int p = 0; p < k; p++, a += lda)
        {
            Vector512<float> v0 = Vector512.Load(b0.Row(p)), v1 = Vector512.Load(b1.Row(p)), v2 = Vector512.Load(b2.Row(p)), v3 = Vector512.Load(b3.Row(p));
            Vector512<float> a0 = Vector512.Create(a[0]), a1 = Vector512.Create(a[1]), a2 = Vector512.Create(a[2]), a3 = Vector512.Create(a[3]);
            c00 = Avx512F.FusedMultiplyAdd(a0, v0, c00); c01 = Avx512F.FusedMultiplyAdd(a0, v1, c01); c02 = Avx512F.FusedMultiplyAdd(a0, v2, c02); c03 = Avx512F.FusedMultiplyAdd(a0, v3, c03);
            c10 = Avx512F.FusedMultiplyAdd(a1, v0, c10); c11 = Avx512F.FusedMultiplyAdd(a1, v1, c11); c12 = Avx512F.FusedMultiplyAdd(a1, v2, c12); c13 = Avx512F.FusedMultiplyAdd(a1, v3, c13);
            c20 = Avx512F.FusedMultiplyAdd(a2, v0, c20); c21 = Avx512F.FusedMultiplyAdd(a2, v1, c21); c22 = Avx512F.FusedMultiplyAdd(a2, v2, c22); c23 = Avx512F.FusedMultiplyAdd(a2, v3, c23);
            c30 = Avx512F.FusedMultiplyAdd(a3, v0, c30); c31 = Avx512F.FusedMultiplyAdd(a3, v1, c31); c32 = Avx512F.FusedMultiplyAdd(a3, v2, c32); c33 = Avx512F.FusedMultiplyAdd(a3, v3, c33);
        }
        c00.Store(tile); c01.Store(tile + 16); c02.Store(tile + 32); c03.Store(tile + 48);
        c10.Store(tile + 64); c11.Store(tile + 80); c12.Store(tile + 96); c13.Store(tile + 112);
        c20.Store(tile + 128); c21.Store(tile + 144); c22.Store(tile + 160); c23.Store(tile + 176);
        c30.Store(tile + 192); c31.Store(tile + 208); c32.Store(tile + 224); c33.Store(tile + 240);
    }

    /// <summary>16 pixels of one row read in place: row p at the panel's first pixel shifted by tap p.</summary>
    private readonly struct DirectRows(float* origin, int* taps) : IPanelRows
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float* Row(int p) => origin + taps[p];
    }

    /// <summary>taps[p] for p = (ci, ty, tx): the offset in the padded input from a column's tap (0, 0) to tap p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Taps(Plan plan, Phase ph, int* taps)
    {
        long planeIn = (long)plan.Hp * plan.Wp;
        for (int ci = 0, p = 0; ci < _cin; ci++)
        for (int a = 0; a < ph.Ty; a++)
        for (int t = 0; t < ph.Tx; t++, p++)
            taps[p] = checked((int)(ci * planeIn - a * plan.Wp - t));
    }

    /// <summary>One 16-column panel of the phase's B, k-major (b[p·16 + j]) with p = (ci, ty, tx): the padded input
    /// at each column's pixel shifted by the tap. Panels made of runs of 16, 8 or 4 consecutive pixels (phase rows
    /// of 16 or more, of 8, of 4: DCGAN's) are plain vector loads, others two 8-wide gathers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Gather(Plan plan, Phase ph, int* columns, float* b)
    {
        long planeIn = (long)plan.Hp * plan.Wp;
        int run = Run(columns, Tile) ? 16 : Run(columns, 8) && Run(columns + 8, 8) ? 8
            : Run(columns, 4) && Run(columns + 4, 4) && Run(columns + 8, 4) && Run(columns + 12, 4) ? 4 : 0;
        int c0 = columns[0], c4 = columns[4], c8 = columns[8], c12 = columns[12];
        Vector256<int> low = Vector256.Load(columns), high = Vector256.Load(columns + 8);
        for (int ci = 0; ci < _cin; ci++)
        for (int a = 0; a < ph.Ty; a++)
        for (int t = 0; t < ph.Tx; t++, b += Tile)
        {
            float* src = plan.Padded + ci * planeIn - a * plan.Wp - t;
            switch (run)
            {
                case 16:
                    Vector512.Load(src + c0).Store(b);
                    break;
                case 8:
                    Vector256.Load(src + c0).Store(b);
                    Vector256.Load(src + c8).Store(b + 8);
                    break;
                case 4:
                    Vector128.Load(src + c0).Store(b);
                    Vector128.Load(src + c4).Store(b + 4);
                    Vector128.Load(src + c8).Store(b + 8);
                    Vector128.Load(src + c12).Store(b + 12);
                    break;
                default:
                    Avx2.GatherVector256(src, low, 4).Store(b);
                    Avx2.GatherVector256(src, high, 4).Store(b + 8);
                    break;
            }
        }
    }

    private static bool Run(int* columns, int length)
    {
        for (int j = 1; j < length; j++)
            if (columns[j] != columns[0] + j) return false;
        return true;
    }
}
