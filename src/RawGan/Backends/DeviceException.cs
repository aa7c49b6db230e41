namespace RawGan.Backends;

/// <summary>A device, its driver or one of its libraries failed a call. Each device backend throws its own kind
/// (<see cref="Cuda.CudaException"/>); callers that only need to know a device failed (the CLI, to say so and keep
/// the run's last checkpoint) catch this.</summary>
public abstract class DeviceException(string message) : Exception(message);
