using RawGan.Backends.Cpu;
using RawGan.Tensors;

namespace RawGan.Tests.Backends;

public class CpuArrayPoolTests
{
    // A length no other test uses, so tests running in parallel cannot take this array first.
    private const int Length = 54_321;

    [Fact]
    public void A_released_step_array_comes_back_zeroed_for_the_same_size_and_the_old_tensor_is_dead()
    {
        Tensor first;
        Array array;
        using (new TensorScope())
        {
            first = Tensor.Full(new Shape(Length), 7, DType.Float32, CpuBackend.Default);
            array = ((CpuStorage)first.Storage).Data;
        }

        Tensor second = Tensor.Zeros(new Shape(Length), DType.Float32, CpuBackend.Default);

        Assert.Same(array, ((CpuStorage)second.Storage).Data);
        Assert.All(second.ToFloatArray(), v => Assert.Equal(0f, v));
        Assert.Throws<ObjectDisposedException>(() => first.ToFloatArray());
    }

    [Fact]
    public void Small_arrays_are_left_to_the_garbage_collector()
    {
        Array array;
        using (new TensorScope())
            array = ((CpuStorage)Tensor.Zeros(new Shape(100), DType.Float32, CpuBackend.Default).Storage).Data;
        Tensor next = Tensor.Zeros(new Shape(100), DType.Float32, CpuBackend.Default);
        Assert.NotSame(array, ((CpuStorage)next.Storage).Data);
    }
}
