using System.Runtime.InteropServices;

namespace BsmTrace.Unix;

/// <summary>
/// What kind of file a path names, from stat(2), without opening it: opening a FIFO to look would
/// connect to (and then abandon) its writer.
/// </summary>
public static partial class FileKind
{
    static FileKind() => NativeLibraries.EnsureRegistered();

    /// <summary>Whether <paramref name="path"/> is a FIFO or a character device (an audit pipe): a stream without an end.</summary>
    public static bool IsStream(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!FileStatus.TryGet(path, followLinks: true, out var status))
            return !FileStatus.Supported && path.StartsWith("/dev/", StringComparison.Ordinal);
        return status.Type is FileStatus.TypeFifo or FileStatus.TypeCharacterDevice;
    }

    /// <summary>Whether <paramref name="path"/> is a regular file (one with an end).</summary>
    public static bool IsRegularFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!FileStatus.TryGet(path, followLinks: true, out var status))
            return !FileStatus.Supported && File.Exists(path) && !IsStream(path);
        return status.IsRegularFile;
    }

    /// <summary>Opens and closes the write end of a FIFO without blocking, which lets a reader blocked in open() go on.</summary>
    public static void WakeFifoReader(string path)
    {
        if (!FileStatus.TryGet(path, followLinks: true, out var status) || status.Type != FileStatus.TypeFifo)
            return;
        int fd = open(path, OpenFlags.WriteOnly | OpenFlags.NonBlocking);
        if (fd >= 0)
            _ = close(fd);
    }

    /// <summary>The effective user id of this process: "the service's own user".</summary>
    public static uint EffectiveUserId => geteuid();

    [LibraryImport(NativeLibraries.LibC)]
    private static partial uint geteuid();

    [LibraryImport(NativeLibraries.LibC, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport(NativeLibraries.LibC)]
    private static partial int close(int fd);
}
