using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace BsmTrace.Unix;

/// <summary>
/// A pidfile with the semantics of FreeBSD's pidfile(3): the file is held open with an exclusive
/// flock(2) for the life of the process. A pidfile whose lock is held belongs to a running
/// process and is refused; one without a lock is left from a process that is gone (killed, a
/// crash, a power cut) and is taken over. The lock goes with the process, however it ends, so a
/// stale pidfile never stops a restart. Removed at exit.
/// </summary>
public sealed partial class PidFile : IDisposable
{
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;

    private readonly string _path;
    private readonly FileStream _file;

    static PidFile() => NativeLibraries.EnsureRegistered();

    private PidFile(string path, FileStream file)
    {
        _path = path;
        _file = file;
    }

    /// <summary>Takes the pidfile at <paramref name="path"/> for this process.</summary>
    /// <exception cref="IOException">Another process holds it, or it cannot be written: one line naming it.</exception>
    public static PidFile Acquire(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        // open(2) directly: O_NOFOLLOW refuses a planted link, and the runtime takes no lock of its own beside the flock below.
        SafeFileHandle handle;
        try
        {
            handle = NativeFile.Open(path, OpenFlags.ReadWrite | OpenFlags.Create | OpenFlags.NoFollow,
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        catch (IOException e)
        {
            throw new IOException($"cannot take the pidfile: {e.Message}", e);
        }

        var file = new FileStream(handle, FileAccess.ReadWrite, bufferSize: 0);

        if (flock((int)file.SafeFileHandle.DangerousGetHandle(), LockExclusive | LockNonBlocking) != 0)
        {
            string holder = ReadPid(file) is { } pid ? $"process {pid}" : "another process";
            file.Dispose();
            throw new IOException($"{path}: the pidfile is held by {holder}, a bsmtrace that is running");
        }

        file.SetLength(0);
        file.Write(Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n"));
        file.Flush();
        return new PidFile(path, file);
    }

    private static string? ReadPid(FileStream file)
    {
        try
        {
            var bytes = new byte[32];
            int n = file.Read(bytes);
            string text = Encoding.ASCII.GetString(bytes, 0, n).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? text : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Removes the pidfile, then lets the lock go (in that order, as pidfile_remove does: no one can take a file about to vanish).</summary>
    public void Dispose()
    {
        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
            // Already gone.
        }
        catch (UnauthorizedAccessException)
        {
            // The directory is no longer ours to change (privileges dropped): the lock still goes with the descriptor.
        }

        _file.Dispose();
    }

    [LibraryImport(NativeLibraries.LibC, SetLastError = true)]
    private static partial int flock(int fd, int operation);
}
