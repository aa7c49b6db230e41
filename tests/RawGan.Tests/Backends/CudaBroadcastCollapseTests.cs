using RawGan.Backends.Cuda;
using RawGan.Tensors;

namespace RawGan.Tests.Backends;

/// <summary>Broadcast shape collapsing: the C# side of the <c>*_bcast_f32</c> kernels' contract.</summary>
public sealed class CudaBroadcastCollapseTests
{
    public static TheoryData<int[], int[], int[], long[], long[], long[]> CollapseCases => new()
    {
        // c, a, b → dims, a strides, b strides (padded on the left to 4 axes)
        { [4, 5, 6], [6], [4, 5, 6], [1, 1, 20, 6], [0, 0, 0, 1], [0, 0, 6, 1] },
        { [8, 3, 7, 5], [8, 3, 7, 5], [3, 1, 1], [1, 8, 3, 35], [0, 105, 35, 1], [0, 0, 1, 0] },
        { [5, 6, 7], [5, 1, 7], [1, 6, 1], [1, 5, 6, 7], [0, 7, 0, 1], [0, 0, 1, 0] },
        { [9, 4], [1], [9, 4], [1, 1, 1, 36], [0, 0, 0, 0], [0, 0, 0, 1] },
        { [2, 1, 3], [2, 1, 3], [], [1, 1, 1, 6], [0, 0, 0, 1], [0, 0, 0, 0] },
        { [2, 5, 3, 6, 4, 7], [2, 1, 3, 1, 4, 1], [1, 5, 1, 6, 1, 7], [2, 5, 3, 6, 4, 7], [12, 0, 4, 0, 1, 0], [0, 42, 0, 7, 0, 1] },
    };

    [Theory]
    [MemberData(nameof(CollapseCases))]
    public void Broadcast_shapes_collapse_to_four_axes_or_more_when_they_must(int[] c, int[] a, int[] b, long[] dims, long[] sa, long[] sb)
    {
        var (d, xa, xb) = CudaBackend.CollapseBroadcast(new Shape(c), new Shape(a), new Shape(b));
        Assert.Equal(dims, d);
        Assert.Equal(sa, xa);
        Assert.Equal(sb, xb);
    }
}
