using RawGan.Backends.Cuda;

namespace RawGan.GpuEmulator;

internal sealed partial class EmulatedCudaApi
{
    /// <summary>How a cuDNN descriptor's values lie: N items of C channels by a plane of H·W (R·S for a filter),
    /// in NCHW or NHWC order. The emulated calls compute in NCHW order and convert at reading and writing.</summary>
    private readonly record struct Layout(int N, int C, long Plane, bool Nhwc)
    {
        public static Layout Of(TensorDesc d) => new(d.N, d.C, (long)d.H * d.W, d.Format == Interop.Cudnn.TensorNhwc);
        public static Layout Of(FilterDesc d) => new(d.K, d.C, (long)d.R * d.S, d.Format == Interop.Cudnn.TensorNhwc);

        /// <summary>Stored values in NCHW order.</summary>
        public T[] Load<T>(T[] stored) => Nhwc ? Permute(stored, toNhwc: false) : stored;

        /// <summary>NCHW-ordered values in the stored order.</summary>
        public T[] Store<T>(T[] logical) => Nhwc ? Permute(logical, toNhwc: true) : logical;

        private T[] Permute<T>(T[] v, bool toNhwc)
        {
            var r = new T[v.Length];
            for (int n = 0; n < N; n++)
                for (int c = 0; c < C; c++)
                    for (long p = 0; p < Plane; p++)
                    {
                        long nchw = ((long)n * C + c) * Plane + p, nhwc = ((long)n * Plane + p) * C + c;
                        if (toNhwc) r[nhwc] = v[nchw];
                        else r[nchw] = v[nhwc];
                    }
            return r;
        }
    }
}
