using System.Runtime.CompilerServices;

namespace RawGan.Backends.Cuda;

/// <summary>A failed CUDA driver, cuBLAS or cuDNN call. The message names the call as written at the call site,
/// the status name and the library's own description, e.g.
/// "cuMemAlloc(out ptr, bytes) failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory)".</summary>
public sealed class CudaException : DeviceException
{
    public CudaException(string library, string call, int status, string statusName, string description, string? detail = null)
        : base(Format(call, statusName, description, detail))
    {
        Library = library;
        Call = call;
        Status = status;
        StatusName = statusName;
    }

    /// <summary>"cuda", "cublas" or "cudnn".</summary>
    public string Library { get; }
    public string Call { get; }
    public int Status { get; }
    public string StatusName { get; }

    private static string Format(string call, string name, string description, string? detail)
    {
        string text = $"{call} failed: {name}";
        if (!string.IsNullOrWhiteSpace(description) && description != name) text += $" ({description})";
        if (!string.IsNullOrWhiteSpace(detail)) text += $": {detail}";
        return text;
    }
}

/// <summary>The status checks: every native call's result goes through one of these.</summary>
internal static class CudaCheck
{
    public static void Check(CUresult status, [CallerArgumentExpression(nameof(status))] string call = "")
    {
        if (status != CUresult.Success) throw Error(status, call);
    }

    public static CudaException Error(CUresult status, string call) =>
        new("cuda", call, (int)status, Interop.Driver.ErrorName(status), Interop.Driver.ErrorString(status));

    /// <summary>cublasStatus_t.</summary>
    public static void CheckCublas(int status, [CallerArgumentExpression(nameof(status))] string call = "")
    {
        if (status != Interop.Cublas.StatusSuccess)
            throw new CudaException("cublas", call, status, Interop.Cublas.StatusName(status), Interop.Cublas.StatusString(status));
    }

    /// <summary>cudnnStatus_t; adds cuDNN 9's last-error detail.</summary>
    public static void CheckCudnn(int status, [CallerArgumentExpression(nameof(status))] string call = "")
    {
        if (status != Interop.Cudnn.StatusSuccess)
            throw new CudaException("cudnn", call, status, Interop.Cudnn.StatusString(status), $"cudnnStatus {status}", Interop.Cudnn.LastErrorString());
    }
}
