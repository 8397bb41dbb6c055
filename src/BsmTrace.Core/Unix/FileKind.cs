using System.Runtime.InteropServices;

namespace BsmTrace.Unix;

/// <summary>
/// What kind of file a path names, from stat(2)'s st_mode, without opening it:
/// opening a FIFO to look would connect to (and then abandon) its writer.
/// .NET does not expose the file type, so stat is called directly; st_mode's
/// place in struct stat is fixed per system and architecture.
/// </summary>
public static partial class FileKind
{
    private const int TypeMask = 0xF000;
    private const int Fifo = 0x1000;
    private const int CharacterDevice = 0x2000;
    private const int Regular = 0x8000;

    static FileKind() => NativeLibraries.EnsureRegistered();

    /// <summary>Whether <paramref name="path"/> is a FIFO or a character device (an audit pipe): a stream without an end.</summary>
    public static bool IsStream(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        int? type = Type(path);
        return type is Fifo or CharacterDevice || (type is null && path.StartsWith("/dev/", StringComparison.Ordinal));
    }

    /// <summary>Whether <paramref name="path"/> is a regular file (one with an end).</summary>
    public static bool IsRegularFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Type(path) is Regular or null && File.Exists(path) && !IsStream(path);
    }

    /// <summary>Opens and closes the write end of a FIFO without blocking, which lets a reader blocked in open() go on.</summary>
    public static void WakeFifoReader(string path)
    {
        if (Type(path) != Fifo)
            return;
        int writeOnlyNonBlocking = 1 | (OperatingSystem.IsLinux() ? 0x800 : 0x4);
        int fd = open(path, writeOnlyNonBlocking);
        if (fd >= 0)
            _ = close(fd);
    }

    /// <summary>The user id owning <paramref name="path"/>, or null when it cannot be told here.</summary>
    public static uint? Owner(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var layout = Layout();
        return layout is null ? null : Stat(path, layout.Value.UidOffset, 4);
    }

    /// <summary>The effective user id of this process: "the service's own user".</summary>
    public static uint EffectiveUserId => geteuid();

    /// <summary>The S_IFMT bits of the path's mode, or null when the system's struct stat is not known here or stat fails.</summary>
    private static int? Type(string path)
    {
        var layout = Layout();
        return layout is null ? null : (int?)(Stat(path, layout.Value.ModeOffset, layout.Value.ModeWidth) & TypeMask);
    }

    /// <summary>Where st_mode and st_uid lie in this system's struct stat.</summary>
    private static (int ModeOffset, int ModeWidth, int UidOffset)? Layout()
    {
        if (OperatingSystem.IsLinux())
        {
            return RuntimeInformation.ProcessArchitecture switch
            {
                Architecture.X64 => (24, 4, 28),
                Architecture.Arm64 => (16, 4, 24),
                _ => null,
            };
        }

        if (OperatingSystem.IsFreeBSD())
            return (24, 2, 28);
        if (OperatingSystem.IsMacOS())
            return (4, 2, 16);
        return null;
    }

    private static unsafe uint? Stat(string path, int offset, int width)
    {
        byte* buffer = stackalloc byte[512];
        int rc = OperatingSystem.IsMacOS() && RuntimeInformation.ProcessArchitecture == Architecture.X64
            ? stat_inode64(path, buffer)
            : stat(path, buffer);
        if (rc != 0)
            return null;
        var field = new ReadOnlySpan<byte>(buffer + offset, width);
        return width == 4 ? MemoryMarshal.Read<uint>(field) : MemoryMarshal.Read<ushort>(field);
    }

    [LibraryImport(NativeLibraries.LibC)]
    private static partial uint geteuid();

    [LibraryImport(NativeLibraries.LibC, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int stat(string path, byte* buffer);

    // macOS on x86-64 keeps the old 32-bit-inode struct under "stat"; the current one has this name.
    [LibraryImport(NativeLibraries.LibC, EntryPoint = "stat$INODE64", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int stat_inode64(string path, byte* buffer);

    [LibraryImport(NativeLibraries.LibC, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport(NativeLibraries.LibC)]
    private static partial int close(int fd);
}
