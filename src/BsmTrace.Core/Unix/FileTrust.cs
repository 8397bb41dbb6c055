using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace BsmTrace.Unix;

/// <summary>
/// Whether a file that makes bsmtrace run or write anything (a policy, an included file, a
/// trigger's program) could have been written by someone other than root and bsmtrace's own
/// user, in the manner of OpenSSH's StrictModes: the file (checked on its open descriptor, so that
/// what is checked is what is read) is owned by one of them and writable by no one else, and so
/// is every directory from it up to /, except that a directory others may write is allowed when
/// it is root's and sticky (/tmp), where no one can replace a file that is not theirs.
/// </summary>
public static partial class FileTrust
{
    static FileTrust() => NativeLibraries.EnsureRegistered();

    /// <summary>Why the open file <paramref name="file"/> (at <paramref name="path"/>) and the directories above it cannot be trusted; null when they can.</summary>
    /// <param name="account">The user the service becomes (<c>--user</c>), whose files are as trusted as root's; null for none.</param>
    public static string? Of(SafeFileHandle file, string path, ServiceAccount? account = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(path);
        if (!FileStatus.TryGet(file, out var status))
            return FileStatus.Supported ? $"{path} cannot be examined (fstat failed)" : null;
        return FileProblem(status, path, account) ?? DirectoriesAbove(path, account);
    }

    /// <summary>Why the file at <paramref name="path"/> (a trigger's program) and the directories above it cannot be trusted; null when they can.</summary>
    public static string? Of(string path, ServiceAccount? account = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!FileStatus.TryGet(path, followLinks: true, out var status))
            return FileStatus.Supported ? $"{path} does not exist or cannot be examined" : null;
        return FileProblem(status, path, account) ?? DirectoriesAbove(path, account);
    }

    /// <summary>
    /// Why the directories above <paramref name="path"/> cannot be trusted, whether or not the file
    /// exists yet: a trigger's program that is not there now will be run once it is, so whoever
    /// may write those directories must not be able to put it there.
    /// </summary>
    public static string? OfDirectoriesAbove(string path, ServiceAccount? account = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        return DirectoriesAbove(path, account);
    }

    private static string? FileProblem(in FileStatus status, string path, ServiceAccount? account)
    {
        if (!ServiceAccount.IsTrustedOwner(status.Owner, account))
            return $"{path} belongs to user {status.Owner}, neither root nor the user bsmtrace runs as";
        if ((status.Permissions & UnixFileMode.OtherWrite) != 0)
            return $"{path} is writable by every user";
        if ((status.Permissions & UnixFileMode.GroupWrite) != 0)
            return $"{path} is writable by its group, whose members may be other users";
        return null;
    }

    /// <summary>
    /// Every directory from the file's up to /: both as the path names them (each one followed
    /// if it is a link, since whoever may change the directory holding a link may retarget it)
    /// and as they really are (links resolved), so that a trusted name that leads into someone
    /// else's directory is caught as well as an untrusted name that leads to a trusted one.
    /// </summary>
    private static string? DirectoriesAbove(string path, ServiceAccount? account)
    {
        string named = Path.GetFullPath(path);
        string? real = RealPath(path);
        return Walk(named, path, followLinks: true, account) ?? (real is null || real == named ? null : Walk(real, path, followLinks: false, account));
    }

    private static string? Walk(string file, string path, bool followLinks, ServiceAccount? account)
    {
        for (string? directory = Path.GetDirectoryName(file); directory is not null; directory = Path.GetDirectoryName(directory))
        {
            if (!FileStatus.TryGet(directory, followLinks, out var status))
                return $"{directory}, above {path}, cannot be examined";
            if (!ServiceAccount.IsTrustedOwner(status.Owner, account))
                return $"{directory}, above {path}, belongs to user {status.Owner}, who could replace what is in it";
            bool othersWrite = (status.Permissions & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0;
            if (othersWrite && !((status.Permissions & UnixFileMode.StickyBit) != 0 && status.Owner == 0))
            {
                string who = (status.Permissions & UnixFileMode.OtherWrite) != 0 ? "every user" : "its group";
                return $"{directory}, above {path}, is writable by {who} without the sticky bit, so they could replace what is in it";
            }
        }

        return null;
    }

    /// <summary>realpath(3): the path with every link and "." and ".." resolved, or null.</summary>
    public static string? RealPath(string path)
    {
        nint resolved = realpath(path, 0);
        if (resolved == 0)
            return null;
        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            free(resolved);
        }
    }

    [LibraryImport(NativeLibraries.LibC, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint realpath(string path, nint resolved);

    [LibraryImport(NativeLibraries.LibC)]
    private static partial void free(nint pointer);
}
