using System.Runtime.InteropServices;

namespace BsmTrace.Unix;

/// <summary>
/// Gives up root for good: the account's supplementary groups (initgroups), its group, then its
/// user (setgid before setuid, while the right to change groups remains), and then proof that it
/// took: real, effective and saved ids are the account's, and becoming root again fails. A drop
/// that did not take, or could be undone, is an error: the service must not go on as root
/// believing it is not.
/// </summary>
public static partial class Privileges
{
    static Privileges() => NativeLibraries.EnsureRegistered();

    /// <exception cref="IOException">The drop failed or could be undone: one line saying which step.</exception>
    public static void DropTo(ServiceAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (getuid() == account.Uid && geteuid() == account.Uid)
            return; // started as that user already
        Require(initgroups(account.Name, account.Gid) == 0, account, "initgroups");
        Require(setgid(account.Gid) == 0, account, "setgid");
        Require(setuid(account.Uid) == 0, account, "setuid");
        if (getuid() != account.Uid || geteuid() != account.Uid || getgid() != account.Gid || getegid() != account.Gid)
            throw new IOException($"--user {account.Name}: the ids did not change as asked (uid {getuid()}/{geteuid()}, gid {getgid()}/{getegid()}); refusing to go on");
        if (account.Uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
            throw new IOException($"--user {account.Name}: root could be taken back after the change; refusing to go on");
    }

    private static void Require(bool done, ServiceAccount account, string step)
    {
        if (!done)
            throw new IOException($"--user {account.Name}: {step} failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}; refusing to go on as root");
    }

    [LibraryImport(NativeLibraries.LibC, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int initgroups(string user, uint group);

    [LibraryImport(NativeLibraries.LibC, SetLastError = true)]
    private static partial int setgid(uint gid);

    [LibraryImport(NativeLibraries.LibC, SetLastError = true)]
    private static partial int setuid(uint uid);

    [LibraryImport(NativeLibraries.LibC, SetLastError = true)]
    private static partial int seteuid(uint uid);

    [LibraryImport(NativeLibraries.LibC)]
    private static partial uint getuid();

    [LibraryImport(NativeLibraries.LibC)]
    private static partial uint geteuid();

    [LibraryImport(NativeLibraries.LibC)]
    private static partial uint getgid();

    [LibraryImport(NativeLibraries.LibC)]
    private static partial uint getegid();
}
