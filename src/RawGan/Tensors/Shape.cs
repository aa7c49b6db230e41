namespace RawGan.Tensors;

/// <summary>An immutable list of dimension sizes, outermost first (NCHW for images).</summary>
public readonly struct Shape : IEquatable<Shape>
{
    private readonly int[] _dims;

    public Shape(params int[] dims)
    {
        foreach (int d in dims)
            if (d < 0) throw new ArgumentException($"Shape {Format(dims)} has a negative size.", nameof(dims));
        _dims = (int[])dims.Clone();
    }

    public static Shape Scalar { get; } = new();

    public int Rank => _dims?.Length ?? 0;
    public int this[int axis] => _dims[Axis(axis)];
    public ReadOnlySpan<int> Dims => _dims;

    /// <summary>Number of elements: the product of the sizes (1 for a scalar).</summary>
    public long Numel
    {
        get
        {
            long n = 1;
            foreach (int d in Dims) n *= d;
            return n;
        }
    }

    /// <summary>Resolves a negative axis as PyTorch does (-1 is the last) and checks the range.</summary>
    public int Axis(int axis)
    {
        int r = axis < 0 ? axis + Rank : axis;
        if (r < 0 || r >= Rank) throw new ArgumentOutOfRangeException(nameof(axis), $"Axis {axis} is out of range for shape {this}.");
        return r;
    }

    public int[] ToArray() => Dims.ToArray();

    /// <summary>Product of the sizes in [start, end).</summary>
    public long Product(int start, int end)
    {
        long n = 1;
        for (int i = start; i < end; i++) n *= _dims[i];
        return n;
    }

    public Shape With(int axis, int size)
    {
        int[] d = ToArray();
        d[Axis(axis)] = size;
        return new Shape(d);
    }

    /// <summary>Strides of a contiguous row-major layout, in elements.</summary>
    public long[] Strides()
    {
        var s = new long[Rank];
        long acc = 1;
        for (int i = Rank - 1; i >= 0; i--) { s[i] = acc; acc *= _dims[i]; }
        return s;
    }

    /// <summary>Strides of this shape read as <paramref name="target"/>'s shape (which it broadcasts to), aligned on
    /// the right: 0 on the axes where this shape has size 1 or lacks the axis.</summary>
    public long[] BroadcastStrides(Shape target)
    {
        long[] own = Strides();
        var st = new long[target.Rank];
        int shift = target.Rank - Rank;
        for (int i = 0; i < target.Rank; i++)
            st[i] = i < shift || _dims[i - shift] == 1 ? 0 : own[i - shift];
        return st;
    }

    /// <summary>The shape two operands broadcast to, with NumPy's rules (align right; a size 1 stretches).</summary>
    public static Shape Broadcast(Shape a, Shape b)
    {
        int rank = Math.Max(a.Rank, b.Rank);
        var d = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Rank ? 1 : a._dims[i - (rank - a.Rank)];
            int db = i < rank - b.Rank ? 1 : b._dims[i - (rank - b.Rank)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"Shapes {a} and {b} cannot be broadcast together (axis {i}: {da} vs {db}).");
            d[i] = da == 1 ? db : da;
        }
        return new Shape(d);
    }

    public bool Equals(Shape other) => Dims.SequenceEqual(other.Dims);
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (int d in Dims) h.Add(d);
        return h.ToHashCode();
    }

    public static bool operator ==(Shape a, Shape b) => a.Equals(b);
    public static bool operator !=(Shape a, Shape b) => !a.Equals(b);
    public static implicit operator Shape(int[] dims) => new(dims);

    public override string ToString() => Format(_dims ?? []);
    private static string Format(int[] dims) => "[" + string.Join(", ", dims) + "]";
}
