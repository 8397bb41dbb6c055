using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace BsmTrace.Unix;

/// <summary>
/// A directory bsmtrace writes into (the log directory, an evidence directory, the directory of
/// a file channel), held open, so that every file in it is opened relative to the directory
/// itself, whatever later happens to the names above it. It is refused unless it belongs to root
/// or bsmtrace's user and no one else may write it: else another user could plant a link or a
/// file of their own where root writes. Names in it are opened with O_NOFOLLOW (a planted link is
/// refused), new files with O_EXCL, and new directories are made 0700.
/// </summary>
public sealed partial class OutputDirectory : IDisposable
{
    public const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const int Eexist = 17;
    private const int Enoent = 2;
    private const int Enotdir = 20;

    private readonly SafeFileHandle _handle;
    private readonly ServiceAccount? _account;

    static OutputDirectory() => NativeLibraries.EnsureRegistered();

    private OutputDirectory(string path, SafeFileHandle handle, ServiceAccount? account)
    {
        Path = path;
        _handle = handle;
        _account = account;
    }

    /// <summary>The directory's path, as given (what messages name).</summary>
    public string Path { get; }

    /// <summary>
    /// Opens the directory at <paramref name="path"/>, first making it (and any missing parent,
    /// each 0700) when <paramref name="create"/> is set.
    /// </summary>
    /// <exception cref="IOException">It cannot be made or opened, or others could write it: one line naming it.</exception>
    /// <param name="account">
    /// The user the service becomes (<c>--user</c>), or null. Its directories are as trusted as
    /// root's; a directory bsmtrace makes (<paramref name="create"/>) is given to it, and one that
    /// exists must be its already, since bsmtrace will make files there as that user.
    /// </param>
    public static OutputDirectory Open(string path, bool create, ServiceAccount? account = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        bool made = create && MakeWithParents(path);
        // Whoever may change a directory above could put another directory at this name.
        if (FileTrust.OfDirectoriesAbove(System.IO.Path.Combine(path, "."), account) is { } above)
            throw new IOException(above);
        var handle = NativeFile.TryOpen(path, OpenFlags.ReadOnly | OpenFlags.Directory, out int errno);
        if (handle is null)
            throw new IOException($"{path}: {(errno == Enoent ? "no such directory" : Marshal.GetPInvokeErrorMessage(errno))}");
        return Checked(path, handle, account, made, writtenAs: create);
    }

    /// <summary>
    /// The directory <paramref name="name"/> inside this one (one component: no '/'), made 0700
    /// when it does not exist and <paramref name="create"/> is set; a link there is refused.
    /// </summary>
    public OutputDirectory Subdirectory(string name, bool create)
    {
        string path = System.IO.Path.Combine(Path, name);
        bool made = create && mkdirat(Fd, name, (int)PrivateDirectory) == 0;
        if (create && !made && Marshal.GetLastPInvokeError() is int errno && errno != Eexist)
            throw new IOException($"{path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        return Checked(path, OpenAt(name, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.NoFollow, 0), _account, made, writtenAs: create);
    }

    /// <summary>Opens <paramref name="relativePath"/> (names joined by '/', no "..") for appending, making the directories on the way.</summary>
    public AppendFile OpenAppend(string relativePath, UnixFileMode mode)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        string[] names = relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (names.Length == 1)
        {
            string path = System.IO.Path.Combine(Path, relativePath);
            var handle = OpenAt(names[0], OpenFlags.ReadWrite | OpenFlags.Append | OpenFlags.Create | OpenFlags.NoFollow, mode);
            return AppendFile.Open(NativeFile.RequireOwnFile(handle, path, _account), path);
        }

        using var parent = Subdirectory(names[0], create: true);
        return parent.OpenAppend(string.Join('/', names[1..]), mode);
    }

    /// <summary>Creates the file <paramref name="name"/> for writing; null when it exists already.</summary>
    public SafeFileHandle? TryCreateNew(string name, UnixFileMode mode)
    {
        var handle = NativeFile.TryOpenAt(Fd, name, OpenFlags.WriteOnly | OpenFlags.Create | OpenFlags.Exclusive | OpenFlags.NoFollow, out int errno, mode);
        if (handle is not null)
            return handle;
        if (errno == Eexist)
            return null;
        throw NativeFile.Failure(System.IO.Path.Combine(Path, name), errno, OpenFlags.NoFollow);
    }

    /// <summary>Removes the file <paramref name="name"/>: one that could not be written whole. False when it could not be.</summary>
    public bool TryRemove(string name) => unlinkat(Fd, name, 0) == 0;

    /// <summary>Whether <paramref name="name"/> is there (not following a link).</summary>
    public bool Exists(string name)
    {
        using var handle = NativeFile.TryOpenAt(Fd, name, OpenFlags.ReadOnly | OpenFlags.NoFollow | OpenFlags.NonBlocking, out _);
        return handle is not null;
    }

    /// <summary>Makes the file <paramref name="name"/>'s contents last (fsync).</summary>
    public void SyncFile(string name)
    {
        using var handle = OpenAt(name, OpenFlags.ReadOnly | OpenFlags.NoFollow, 0);
        NativeFile.Sync(handle, System.IO.Path.Combine(Path, name));
    }

    /// <summary>Makes the names in the directory last (fsync of the directory).</summary>
    public void Sync() => NativeFile.Sync(_handle, Path);

    public void Dispose() => _handle.Dispose();

    private int Fd => (int)_handle.DangerousGetHandle();

    private SafeFileHandle OpenAt(string name, int flags, UnixFileMode mode)
    {
        if (NativeFile.TryOpenAt(Fd, name, flags, out int errno, mode) is { } handle)
            return handle;
        string path = System.IO.Path.Combine(Path, name);
        if (errno == Enoent)
            throw new IOException($"{path}: no such file or directory");
        // Linux says ENOTDIR, not ELOOP, for a link opened with O_DIRECTORY | O_NOFOLLOW.
        if (errno == Enotdir && FileStatus.TryGet(path, followLinks: false, out var status) && status.Type == FileStatus.TypeSymbolicLink)
            throw new IOException($"{path}: is a symbolic link, which bsmtrace does not follow here");
        throw NativeFile.Failure(path, errno, flags);
    }

    /// <param name="made">bsmtrace made it just now (as root, for <paramref name="account"/> to write in).</param>
    /// <param name="writtenAs">bsmtrace makes files in it (not only appends to one opened now), so with an account it must be the account's.</param>
    private static OutputDirectory Checked(string path, SafeFileHandle handle, ServiceAccount? account, bool made, bool writtenAs)
    {
        try
        {
            if (account is not null && made && FileKind.EffectiveUserId == 0)
                NativeFile.GiveTo(handle, path, account);
            if (FileStatus.TryGet(handle, out var status) && Problem(status, path, account, writtenAs) is { } problem)
                throw new IOException(problem);
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        return new OutputDirectory(path, handle, account);
    }

    private static string? Problem(in FileStatus status, string path, ServiceAccount? account, bool writtenAs)
    {
        if (!status.IsDirectory)
            return $"{path}: is not a directory";
        if (!ServiceAccount.IsTrustedOwner(status.Owner, account))
            return $"{path} belongs to user {status.Owner}, neither root nor the user bsmtrace runs as; bsmtrace writes only where no one else can plant a file or link";
        if (account is not null && writtenAs && status.Owner != account.Uid && account.Uid != FileKind.EffectiveUserId && FileKind.EffectiveUserId == 0)
            return $"{path} belongs to user {status.Owner}, but bsmtrace makes files there as {account.Name} (--user): chown {account.Name} {path}";
        if ((status.Permissions & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            string who = (status.Permissions & UnixFileMode.OtherWrite) != 0 ? "every user" : "its group";
            return $"{path} is writable by {who}; bsmtrace writes only where no one else can plant a file or link";
        }

        return null;
    }

    /// <summary>Makes the directory and any missing parent, each 0700; whether the directory itself was made.</summary>
    private static bool MakeWithParents(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        var missing = new Stack<string>();
        for (string? p = full; p is not null && !Directory.Exists(p); p = System.IO.Path.GetDirectoryName(p))
            missing.Push(p);
        bool made = false;
        while (missing.TryPop(out var directory))
        {
            made = mkdir(directory, (int)PrivateDirectory) == 0;
            if (!made && Marshal.GetLastPInvokeError() is int errno && errno != Eexist)
                throw new IOException($"{directory}: {(errno == Enoent ? "no such directory" : Marshal.GetPInvokeErrorMessage(errno))}");
        }

        return made;
    }

    [LibraryImport(NativeLibraries.LibC, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mkdir(string path, int mode);

    [LibraryImport(NativeLibraries.LibC, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mkdirat(int directory, string name, int mode);

    [LibraryImport(NativeLibraries.LibC, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int unlinkat(int directory, string name, int flags);
}
