using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace BsmTrace.Unix;

/// <summary>
/// What stat(2) says of a file that bsmtrace needs and the runtime does not expose: its device
/// and inode (a file's identity, whatever its name becomes), its size, its type and permission
/// bits, and its owner. struct stat differs between systems, so each field is read at the place
/// the system's &lt;sys/stat.h&gt; puts it (see <see cref="Layout"/>).
/// </summary>
public readonly partial record struct FileStatus(ulong Device, ulong Inode, long Size, int Mode, uint Owner)
{
    public const int TypeMask = 0xF000;
    public const int TypeFifo = 0x1000;
    public const int TypeCharacterDevice = 0x2000;
    public const int TypeDirectory = 0x4000;
    public const int TypeRegular = 0x8000;
    public const int TypeSymbolicLink = 0xA000;

    static FileStatus() => NativeLibraries.EnsureRegistered();

    public int Type => Mode & TypeMask;

    /// <summary>Names the file has (st_nlink): more than one, for a regular file, means a hard link someone made.</summary>
    public ulong Links { get; init; }

    public bool IsRegularFile => Type == TypeRegular;

    public bool IsDirectory => Type == TypeDirectory;

    /// <summary>The permission bits (and set-id and sticky bits).</summary>
    public UnixFileMode Permissions => (UnixFileMode)(Mode & 0xFFF);

    /// <summary>Whether struct stat's layout is known for this system, so that the calls below can answer.</summary>
    public static bool Supported => Layout() is not null;

    /// <summary>stat(2) (a link is followed) or lstat(2) (it is not).</summary>
    public static unsafe bool TryGet(string path, bool followLinks, out FileStatus status)
    {
        ArgumentNullException.ThrowIfNull(path);
        status = default;
        if (Layout() is not { } layout)
            return false;
        byte* buffer = stackalloc byte[BufferSize];
        int rc = (followLinks, Inode64Names) switch
        {
            (true, true) => stat_inode64(path, buffer),
            (true, false) => OldGlibc ? __xstat(XstatVersion, path, buffer) : Stat(path, buffer),
            (false, true) => lstat_inode64(path, buffer),
            (false, false) => OldGlibc ? __lxstat(XstatVersion, path, buffer) : Lstat(path, buffer),
        };
        if (rc != 0)
            return false;
        status = Read(buffer, layout);
        return true;
    }

    /// <summary>fstat(2) of an open file: the file itself, whatever its name is now.</summary>
    public static unsafe bool TryGet(SafeFileHandle file, out FileStatus status)
    {
        ArgumentNullException.ThrowIfNull(file);
        status = default;
        if (Layout() is not { } layout)
            return false;
        byte* buffer = stackalloc byte[BufferSize];
        int fd = (int)file.DangerousGetHandle();
        if ((Inode64Names ? fstat_inode64(fd, buffer) : OldGlibc ? __fxstat(XstatVersion, fd, buffer) : Fstat(fd, buffer)) != 0)
            return false;
        status = Read(buffer, layout);
        return true;
    }

    // glibc before 2.33 (RHEL 8, Debian 11) exports stat, lstat and fstat only as __xstat(version, ...).
    private static bool _oldGlibc;

    private static bool OldGlibc => Volatile.Read(ref _oldGlibc);

    private static int XstatVersion => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 1 : 0;

    private static unsafe int Stat(string path, byte* buffer)
    {
        try
        {
            return stat(path, buffer);
        }
        catch (EntryPointNotFoundException) when (OperatingSystem.IsLinux())
        {
            Volatile.Write(ref _oldGlibc, true);
            return __xstat(XstatVersion, path, buffer);
        }
    }

    private static unsafe int Lstat(string path, byte* buffer)
    {
        try
        {
            return lstat(path, buffer);
        }
        catch (EntryPointNotFoundException) when (OperatingSystem.IsLinux())
        {
            Volatile.Write(ref _oldGlibc, true);
            return __lxstat(XstatVersion, path, buffer);
        }
    }

    private static unsafe int Fstat(int fd, byte* buffer)
    {
        try
        {
            return fstat(fd, buffer);
        }
        catch (EntryPointNotFoundException) when (OperatingSystem.IsLinux())
        {
            Volatile.Write(ref _oldGlibc, true);
            return __fxstat(XstatVersion, fd, buffer);
        }
    }

    // Larger than any system's struct stat (macOS's is 144 bytes, FreeBSD's 224).
    private const int BufferSize = 512;

    /// <summary>macOS on x86-64 keeps the old 32-bit-inode struct under "stat"; the current one has the $INODE64 names.</summary>
    private static bool Inode64Names => OperatingSystem.IsMacOS() && RuntimeInformation.ProcessArchitecture == Architecture.X64;

    private static unsafe FileStatus Read(byte* buffer, in StatLayout l) => new(
        l.DeviceWidth == 8 ? *(ulong*)(buffer + l.Device) : *(uint*)(buffer + l.Device),
        *(ulong*)(buffer + l.Inode),
        *(long*)(buffer + l.Size),
        l.ModeWidth == 4 ? (int)*(uint*)(buffer + l.Mode) : *(ushort*)(buffer + l.Mode),
        *(uint*)(buffer + l.Owner))
    {
        Links = l.LinksWidth switch { 8 => *(ulong*)(buffer + l.Links), 4 => *(uint*)(buffer + l.Links), _ => *(ushort*)(buffer + l.Links) },
    };

    /// <summary>Where the fields lie in this system's struct stat, or null where it is not known here.</summary>
    private static StatLayout? Layout()
    {
        if (OperatingSystem.IsLinux())
        {
            return RuntimeInformation.ProcessArchitecture switch
            {
                // x86-64: st_dev, st_ino, st_nlink (8 each), st_mode, st_uid, st_gid, pad, st_rdev, st_size.
                Architecture.X64 => new StatLayout(Device: 0, DeviceWidth: 8, Inode: 8, Mode: 24, ModeWidth: 4, Owner: 28, Size: 48, Links: 16, LinksWidth: 8),
                // The generic layout (arm64): st_dev, st_ino, st_mode, st_nlink (4), st_uid, st_gid, st_rdev, pad, st_size.
                Architecture.Arm64 => new StatLayout(Device: 0, DeviceWidth: 8, Inode: 8, Mode: 16, ModeWidth: 4, Owner: 24, Size: 48, Links: 20, LinksWidth: 4),
                _ => null,
            };
        }

        // FreeBSD 12 and later (64-bit inodes), amd64 and arm64: st_dev, st_ino, st_nlink (8 each), st_mode (2),
        // pad, st_uid, st_gid, pad, st_rdev (8), four timespecs, st_size.
        if (OperatingSystem.IsFreeBSD())
            return new StatLayout(Device: 0, DeviceWidth: 8, Inode: 8, Mode: 24, ModeWidth: 2, Owner: 28, Size: 112, Links: 16, LinksWidth: 8);

        // macOS (64-bit inodes): st_dev (4), st_mode (2), st_nlink (2), st_ino (8), st_uid, st_gid, st_rdev, pad,
        // four timespecs, st_size.
        if (OperatingSystem.IsMacOS())
            return new StatLayout(Device: 0, DeviceWidth: 4, Inode: 8, Mode: 4, ModeWidth: 2, Owner: 16, Size: 96, Links: 6, LinksWidth: 2);
        return null;
    }

    private readonly record struct StatLayout(int Device, int DeviceWidth, int Inode, int Mode, int ModeWidth, int Owner, int Size, int Links, int LinksWidth);

    [LibraryImport(NativeLibraries.LibC, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int stat(string path, byte* buffer);

    [LibraryImport(NativeLibraries.LibC, EntryPoint = "stat$INODE64", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int stat_inode64(string path, byte* buffer);

    [LibraryImport(NativeLibraries.LibC, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int lstat(string path, byte* buffer);

    [LibraryImport(NativeLibraries.LibC, EntryPoint = "lstat$INODE64", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int lstat_inode64(string path, byte* buffer);

    [LibraryImport(NativeLibraries.LibC)]
    private static unsafe partial int fstat(int fd, byte* buffer);

    [LibraryImport(NativeLibraries.LibC, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int __xstat(int version, string path, byte* buffer);

    [LibraryImport(NativeLibraries.LibC, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int __lxstat(int version, string path, byte* buffer);

    [LibraryImport(NativeLibraries.LibC)]
    private static unsafe partial int __fxstat(int version, int fd, byte* buffer);

    [LibraryImport(NativeLibraries.LibC, EntryPoint = "fstat$INODE64")]
    private static unsafe partial int fstat_inode64(int fd, byte* buffer);
}
