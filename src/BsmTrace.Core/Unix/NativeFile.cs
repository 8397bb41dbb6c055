using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace BsmTrace.Unix;

/// <summary>
/// open(2) itself, for what the runtime's FileStream cannot ask for: O_NOFOLLOW (a planted
/// symbolic link is refused, not followed), and no lock of the runtime's own making (it emulates
/// FileShare with flock(2), which would clash with a pidfile's). Failures are
/// <see cref="IOException"/>s that name the path and say why in the system's words.
/// </summary>
public static partial class NativeFile
{
    // What open(2) says of a symbolic link met with O_NOFOLLOW: ELOOP on Linux (40) and macOS (62);
    // FreeBSD says EMLINK (31, vfs_vnops.c: vn_open_vnode).
    private static int NoFollowRefusal => OperatingSystem.IsLinux() ? 40 : OperatingSystem.IsFreeBSD() ? 31 : 62;

    static NativeFile() => NativeLibraries.EnsureRegistered();

    /// <summary>Opens <paramref name="path"/> with open(2)'s <paramref name="flags"/> (<see cref="OpenFlags"/>), creating it with <paramref name="mode"/>.</summary>
    public static SafeFileHandle Open(string path, int flags, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        ArgumentNullException.ThrowIfNull(path);
        int fd = OpenCall(path, flags | OpenFlags.CloseOnExec, mode);
        if (fd < 0)
            throw Failure(path, Marshal.GetLastPInvokeError(), flags);
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Opens <paramref name="path"/> as <see cref="Open"/> does, or gives open(2)'s errno for the caller to say in its own words.</summary>
    public static SafeFileHandle? TryOpen(string path, int flags, out int errno, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        ArgumentNullException.ThrowIfNull(path);
        int fd = OpenCall(path, flags | OpenFlags.CloseOnExec, mode);
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>openat(2): <paramref name="name"/> relative to the open directory <paramref name="directory"/>; null with errno when it cannot be opened.</summary>
    public static SafeFileHandle? TryOpenAt(int directory, string name, int flags, out int errno, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        ArgumentNullException.ThrowIfNull(name);
        int fd = AppleArm64
            ? openat_apple_arm64(directory, name, flags | OpenFlags.CloseOnExec, 0, 0, 0, 0, 0, (nint)mode)
            : openat(directory, name, flags | OpenFlags.CloseOnExec, (int)mode);
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    // open(2) and openat(2) take the mode as a variadic argument. Apple's arm64 convention passes
    // variadic arguments on the stack, where a fixed-argument call would leave a register the
    // callee never reads (and a new file a mode of whatever the stack held). Padding the named
    // arguments out to the eight argument registers puts the mode where the callee looks: the
    // first stack slot.
    private static bool AppleArm64 => OperatingSystem.IsMacOS() && RuntimeInformation.ProcessArchitecture == Architecture.Arm64;

    private static int OpenCall(string path, int flags, UnixFileMode mode) =>
        AppleArm64 ? open_apple_arm64(path, flags, 0, 0, 0, 0, 0, 0, (nint)mode) : open(path, flags, (int)mode);

    /// <summary>open(2)'s "no such file or directory".</summary>
    public const int NoSuchFile = 2;

    /// <summary>open(2)'s "permission denied".</summary>
    public const int PermissionDenied = 13;

    /// <summary>fsync(2): what was written to the file (or, for a directory, the names in it) is on disk when this returns.</summary>
    /// <exception cref="IOException">The system could not make it so.</exception>
    public static void Sync(SafeFileHandle file, string path)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (fsync((int)file.DangerousGetHandle()) != 0 && Marshal.GetLastPInvokeError() != Einval)
            throw new IOException($"{path}: fsync: {Marshal.GetLastPInvokeErrorMessage()}");
    }

    // fsync of a file that cannot be synced (a pipe, a device such as /dev/null): there is nothing to make last.
    private const int Einval = 22;

    /// <summary>Makes what is written in <paramref name="directory"/> (new names, renames) last: opens it and fsyncs it.</summary>
    public static void SyncDirectory(string directory)
    {
        using var handle = Open(directory, OpenFlags.ReadOnly | OpenFlags.Directory);
        Sync(handle, directory);
    }

    /// <summary>sync(2): everything written on the machine is scheduled to be made to last.</summary>
    public static void SyncAll() => sync();

    /// <summary>An open(2) failure as one line: a symbolic link refused by O_NOFOLLOW is said as such.</summary>
    internal static IOException Failure(string path, int errno, int flags)
    {
        bool symlink = (flags & OpenFlags.NoFollow) != 0 && errno == NoFollowRefusal;
        string why = symlink ? "is a symbolic link, which bsmtrace does not follow here" : Marshal.GetPInvokeErrorMessage(errno);
        return new IOException($"{path}: {why}");
    }

    /// <summary>
    /// Makes sure a file bsmtrace opened for writing is what it seems: a regular file with one name
    /// (a hard link planted in a directory bsmtrace writes in would turn root's writes onto another
    /// file; O_NOFOLLOW stops only symbolic ones), owned by root, bsmtrace's user or
    /// <paramref name="account"/>. Opened by root for an account it will become, the file is given
    /// to that account, which opens it again after a rotation.
    /// </summary>
    /// <exception cref="IOException">It is not: one line naming it; the handle is closed.</exception>
    public static SafeFileHandle RequireOwnFile(SafeFileHandle handle, string path, ServiceAccount? account)
    {
        ArgumentNullException.ThrowIfNull(handle);
        try
        {
            if (!FileStatus.TryGet(handle, out var status))
                return handle;
            // A device (/dev/console) or a FIFO is written as it is; a link to one cannot redirect root's writes.
            if (status.Type is FileStatus.TypeCharacterDevice or FileStatus.TypeFifo)
                return handle;
            if (!status.IsRegularFile)
                throw new IOException($"{path}: is not a regular file");
            if (status.Links != 1)
                throw new IOException($"{path}: has {status.Links} names (a hard link); bsmtrace writes only to a file of its own");
            if (!ServiceAccount.IsTrustedOwner(status.Owner, account))
                throw new IOException($"{path} belongs to user {status.Owner}, neither root nor the user bsmtrace runs as");
            if (account is not null && status.Owner != account.Uid && FileKind.EffectiveUserId == 0)
                GiveTo(handle, path, account);
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Gives the open file or directory to <paramref name="account"/> (fchown): one bsmtrace made as root for the user it becomes.</summary>
    /// <exception cref="IOException">It cannot be given: one line naming it.</exception>
    public static void GiveTo(SafeFileHandle handle, string path, ServiceAccount account)
    {
        ArgumentNullException.ThrowIfNull(handle);
        ArgumentNullException.ThrowIfNull(account);
        if (fchown((int)handle.DangerousGetHandle(), account.Uid, account.Gid) != 0)
            throw new IOException($"{path}: cannot be given to {account.Name}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
    }

    [LibraryImport(NativeLibraries.LibC, SetLastError = true)]
    private static partial int fchown(int fd, uint owner, uint group);

    [LibraryImport(NativeLibraries.LibC, SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport(NativeLibraries.LibC)]
    private static partial void sync();

    [LibraryImport(NativeLibraries.LibC, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags, int mode);

    [LibraryImport(NativeLibraries.LibC, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open_apple_arm64(string path, int flags, nint r2, nint r3, nint r4, nint r5, nint r6, nint r7, nint mode);

    [LibraryImport(NativeLibraries.LibC, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int openat(int directory, string name, int flags, int mode);

    [LibraryImport(NativeLibraries.LibC, EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int openat_apple_arm64(int directory, string name, int flags, nint r3, nint r4, nint r5, nint r6, nint r7, nint mode);
}
