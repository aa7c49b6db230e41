using System.Diagnostics;
using System.Globalization;

namespace RawGan.IO;

/// <summary>
/// A file holding the PID of the process that works in a folder, so a second process (two `--resume`s of one run)
/// is refused instead of interleaving its checkpoints with the first's. A lock left by a process that died
/// (<c>kill -9</c>) names a PID no longer alive and is taken over.
/// </summary>
public sealed class RunLock : IDisposable
{
    private readonly string _path;

    private RunLock(string path) => _path = path;

    /// <summary>Takes the lock file <paramref name="path"/>, or throws <see cref="IOException"/> naming the live
    /// process that holds it.</summary>
    public static RunLock Acquire(string path)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read))
                using (var writer = new StreamWriter(stream))
                    writer.Write(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
                return new RunLock(path);
            }
            catch (IOException) when (File.Exists(path) && attempt < 2)
            {
                int? holder = Holder(path);
                if (holder is int pid && pid != Environment.ProcessId && IsAlive(pid))
                    throw new IOException($"{Path.GetDirectoryName(path)} is in use by process {pid} (its lock file is {path}); wait for it to end, or stop it first.");
                File.Delete(path); // stale: its process is gone
            }
        }
    }

    public void Dispose() => File.Delete(_path);

    private static int? Holder(string path)
    {
        try
        {
            return int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
