using RawGan.Tensors;

namespace RawGan.Backends;

/// <summary>
/// The seam between math and machines: the primitives every device implements. It knows nothing about autodiff;
/// the rules in <c>Ops/</c> are written once against it. Tensors passed in are contiguous and already validated by
/// the op that calls (shapes, dtypes, devices); outputs are written, never accumulated, unless a method says so.
/// A primitive reads storage in its tensors' logical row-major order; the ops pass channels-last tensors only to
/// the convolutions and batch norm of a backend that says it takes them (<see cref="ChannelsLastNative"/>), and to
/// the rest as the row-major tensors they physically are ([N, H, W, C]).
/// </summary>
public interface IBackend
{
    Device Device { get; }

    /// <summary>The math policy of this backend's float32 GEMMs and convolutions, fixed when it was made. A backend
    /// reports what it computes: one without a faster mode (the CPU) is <see cref="Precision.Fp32"/> whatever was
    /// asked for, as PyTorch ignores allow_tf32 on the CPU.</summary>
    Precision Precision { get; }

    /// <summary>A short description for logs: "cpu (AVX-512, 2 threads)", "cuda:0 NVIDIA H100".</summary>
    string Name { get; }

    /// <summary>A buffer whose contents are unspecified (as torch.empty's): every op writes all of its output, so
    /// zero-filling each intermediate would only add memory traffic. <see cref="Tensors.Tensor.Zeros(Tensors.Shape, DType, IBackend)"/>
    /// fills. (The test suite fills fresh buffers with NaN, so an op that reads what it did not write shows.)</summary>
    Storage Allocate(long length, DType dtype);

    void Upload<T>(ReadOnlySpan<T> source, Storage destination) where T : unmanaged;
    void Download<T>(Storage source, Span<T> destination) where T : unmanaged;

    /// <summary>Copies all of <paramref name="source"/> into <paramref name="destination"/> (same length and dtype).</summary>
    void Copy(Tensor source, Tensor destination);

    /// <summary>Copies <paramref name="rows"/> runs of <paramref name="count"/> elements, the i-th from
    /// source[sourceOffset + i·sourceStride] to destination[destinationOffset + i·destinationStride].
    /// Concatenation and slicing along any axis are this copy on a [outer, axis·inner] view.</summary>
    void Copy2D(Tensor source, long sourceOffset, long sourceStride,
                Tensor destination, long destinationOffset, long destinationStride, long rows, long count);

    void Fill(Tensor destination, double value);

    // ---- memory formats --------------------------------------------------------------------------------------
    /// <summary>y[b, j, i] = x[b, i, j]: x's storage read as [batch, rows, cols] into y's as [batch, cols, rows]
    /// (float32, and float64 where the backend has it). NCHW ↔ NHWC is this with rows C and cols H·W, or back.</summary>
    void Transpose(Tensor x, Tensor y, long batch, long rows, long cols);

    /// <summary>Whether the convolutions and batch norm take <see cref="MemoryFormat.ChannelsLast"/> activations as
    /// they lie (all activations of one call share a format; a weight is always [K, C, R, S] as PyTorch stores it).
    /// A backend without it gets NCHW operands, converted around the call by the op.</summary>
    bool ChannelsLastNative { get; }

    // ---- elementwise -------------------------------------------------------------------------------------
    /// <summary>y = f(x; alpha).</summary>
    void Unary(UnaryOp op, double alpha, Tensor x, Tensor y);

    /// <summary>dx = dy · f'(x). Both x and y = f(x) are passed: Tanh and Sigmoid read y, the rest read x.</summary>
    void UnaryBackward(UnaryOp op, double alpha, Tensor x, Tensor y, Tensor dy, Tensor dx);

    /// <summary>c = a ∘ b, with a and b broadcast to c's shape (NumPy rules; ranks aligned on the right).</summary>
    void Binary(BinaryOp op, Tensor a, Tensor b, Tensor c);

    /// <summary>y = the sum of x over the axes where y has size 1 (or that y lacks on the left): the adjoint of
    /// broadcasting y to x's shape. Sum, mean and bias gradients are this reduction.</summary>
    void SumTo(Tensor x, Tensor y);

    /// <summary>Per-element loss between input and target (same shapes).</summary>
    void Loss(LossKind kind, Tensor input, Tensor target, Tensor loss);

    /// <summary>dInput = dLoss · ∂loss/∂input, elementwise (all four tensors have one shape).</summary>
    void LossBackward(LossKind kind, Tensor input, Tensor target, Tensor dLoss, Tensor dInput);

    // ---- dense algebra -----------------------------------------------------------------------------------
    /// <summary>c = alpha · op(a) · op(b) + beta · c for 2-D row-major a, b, c; op transposes where asked.</summary>
    void Gemm(bool transA, bool transB, double alpha, Tensor a, Tensor b, double beta, Tensor c);

    /// <summary>y = x ⋆ w (cross-correlation), shapes as in <paramref name="g"/>.</summary>
    void Conv2d(ConvGeometry g, Tensor x, Tensor w, Tensor y);

    /// <summary>dx = the adjoint of <see cref="Conv2d"/> in x applied to dy. Also the forward pass of ConvTranspose2d.</summary>
    void Conv2dBackwardData(ConvGeometry g, Tensor dy, Tensor w, Tensor dx);

    /// <summary>dw = the adjoint of <see cref="Conv2d"/> in w: dw[k,c,r,s] = Σ dy[n,k,p,q]·x[n,c,p·sh+r-pt,q·sw+s-pl].</summary>
    void Conv2dBackwardFilter(ConvGeometry g, Tensor x, Tensor dy, Tensor dw);

    // ---- pooling ---------------------------------------------------------------------------------------------
    /// <summary>y = the largest x in each window (padding never wins; NaN does, as in PyTorch; the first of equal
    /// maxima in row-major order), and <paramref name="indices"/> (int32, shape of y) = its position h·W + w in the plane.</summary>
    void MaxPool2d(PoolGeometry g, Tensor x, Tensor y, Tensor indices);

    /// <summary>dx[h, w] = Σ dy over the outputs whose index is h·W + w (written, not accumulated).</summary>
    void MaxPool2dBackward(PoolGeometry g, Tensor dy, Tensor indices, Tensor dx);

    /// <summary>y = the mean of each window, over the whole window with <paramref name="countIncludePad"/> or over
    /// the elements inside x without (<see cref="PoolGeometry.Divisor"/>).</summary>
    void AvgPool2d(PoolGeometry g, bool countIncludePad, Tensor x, Tensor y);

    /// <summary>dx[h, w] = Σ dy[p, q] / divisor(p, q) over the windows holding (h, w) (written, not accumulated).</summary>
    void AvgPool2dBackward(PoolGeometry g, bool countIncludePad, Tensor dy, Tensor dx);

    // ---- normalisation -----------------------------------------------------------------------------------
    /// <summary>
    /// Batch normalisation of x viewed as [N, C, S] per channel C. Training: mean and biased variance of the batch,
    /// written to <paramref name="mean"/> and <paramref name="invStd"/> = 1/sqrt(var + eps), and running statistics
    /// (if given) updated with momentum using the unbiased variance, as PyTorch does. Eval: the running statistics
    /// are used (and copied to mean / invStd for the backward pass). y = (x - mean)·invStd·weight + bias.
    /// </summary>
    void BatchNormForward(Tensor x, Tensor? weight, Tensor? bias, Tensor? runningMean, Tensor? runningVar,
                          bool training, double momentum, double eps, Tensor y, Tensor mean, Tensor invStd);

    /// <summary>Gradients of <see cref="BatchNormForward"/>: dx always; dWeight = Σ dy·x̂ and dBias = Σ dy where given.
    /// In training the batch statistics depend on x and their gradient is included.</summary>
    void BatchNormBackward(Tensor x, Tensor dy, Tensor? weight, Tensor mean, Tensor invStd, bool training,
                           Tensor dx, Tensor? dWeight, Tensor? dBias);

    // ---- indexing ----------------------------------------------------------------------------------------
    /// <summary>output[i, :] = table[indices[i], :] for table [V, D], int32 indices [n], output [n, D].</summary>
    void Gather(Tensor table, Tensor indices, Tensor output);

    /// <summary>dTable[indices[i], :] += dOutput[i, :] (accumulates; repeated indices add up).</summary>
    void ScatterAdd(Tensor dOutput, Tensor indices, Tensor dTable);

    // ---- random numbers (Philox4x32-10, counter-based: every device draws the same numbers) --------------
    /// <summary>Element i is drawn from counter offset + i under key seed: uniform on (low, high).</summary>
    void FillUniform(Tensor destination, ulong seed, ulong offset, double low, double high);

    /// <summary>Element i is drawn from counter offset + i under key seed: normal(mean, std) by Box-Muller.</summary>
    void FillNormal(Tensor destination, ulong seed, ulong offset, double mean, double std);

    /// <summary>Element i is <paramref name="value"/> with probability <paramref name="p"/>, else 0 (dropout masks).</summary>
    void FillBernoulli(Tensor destination, ulong seed, ulong offset, double p, double value);

    // ---- optimisation ------------------------------------------------------------------------------------
    /// <summary>One fused Adam update of param in place, with first and second moments m and v updated in place.</summary>
    void AdamStep(Tensor param, Tensor grad, Tensor m, Tensor v, AdamHyper h);
}
