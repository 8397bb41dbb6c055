using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace BsmTrace.Unix;

/// <summary>
/// A file written only at its end, a line (or a record) at a time: opened O_APPEND (and
/// O_NOFOLLOW: a planted link is refused), each <see cref="Append"/> one write(2), with no buffer
/// in between. A line is on disk whole or not at all, however bsmtrace ends, and a write that
/// fails (a full disk) fails for that line alone, so what was and was not written can be counted.
/// A file left ending inside a line (a writer killed mid-write) gets a newline first.
/// </summary>
public sealed partial class AppendFile : IDisposable
{
    private const int Eintr = 4;

    private readonly SafeFileHandle _handle;

    static AppendFile() => NativeLibraries.EnsureRegistered();

    private AppendFile(string path, SafeFileHandle handle)
    {
        Path = path;
        _handle = handle;
    }

    public string Path { get; }

    /// <summary>
    /// Takes <paramref name="handle"/>, opened O_APPEND on <paramref name="path"/> for reading and
    /// writing (see <see cref="OutputDirectory.OpenAppend"/>): the last byte says whether a killed
    /// writer left a line unfinished.
    /// </summary>
    /// <exception cref="IOException">The end of the file cannot be read or mended: one line naming it.</exception>
    internal static AppendFile Open(SafeFileHandle handle, string path)
    {
        var file = new AppendFile(path, handle);
        try
        {
            file.EndTornLine();
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Appends <paramref name="bytes"/> in one write(2).</summary>
    /// <exception cref="IOException">The write failed (a full disk, a file system gone read-only): one line naming the file.</exception>
    public unsafe void Append(ReadOnlySpan<byte> bytes)
    {
        fixed (byte* start = bytes)
        {
            int done = 0;
            while (done < bytes.Length)
            {
                nint n = write((int)_handle.DangerousGetHandle(), start + done, (nuint)(bytes.Length - done));
                if (n < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == Eintr)
                        continue;
                    throw new IOException($"{Path}: {Marshal.GetPInvokeErrorMessage(errno)}");
                }

                done += (int)n;
            }
        }
    }

    /// <summary>Makes what was appended last (fsync).</summary>
    public void Sync() => NativeFile.Sync(_handle, Path);

    private void EndTornLine()
    {
        long length = RandomAccess.GetLength(_handle);
        if (length == 0)
            return;
        Span<byte> last = stackalloc byte[1];
        if (RandomAccess.Read(_handle, last, length - 1) == 1 && last[0] != (byte)'\n')
            Append("\n"u8);
    }

    public void Dispose() => _handle.Dispose();

    [LibraryImport(NativeLibraries.LibC, SetLastError = true)]
    private static unsafe partial nint write(int fd, byte* buffer, nuint count);
}
