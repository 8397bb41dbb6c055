using System.Runtime.InteropServices;
using System.Text;

namespace BsmTrace.Unix;

/// <summary>
/// The user a service started as root becomes once it has opened what needs root (<c>--user</c>):
/// its name, id and primary group, from the system's user database (getpwnam_r, so NSS answers).
/// Files and directories it owns are as trusted as root's, and the directories bsmtrace writes in
/// after the change must be its.
/// </summary>
public sealed partial record ServiceAccount(string Name, uint Uid, uint Gid)
{
    static ServiceAccount() => NativeLibraries.EnsureRegistered();

    /// <summary>The account named <paramref name="name"/>, or null when the system has none.</summary>
    public static unsafe ServiceAccount? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        // struct passwd begins name, password, uid, gid on Linux, FreeBSD and macOS alike.
        byte* entry = stackalloc byte[256];
        var strings = new byte[16 * 1024];
        var key = Encoding.UTF8.GetBytes(name + "\0");
        void* result = null;
        fixed (byte* buffer = strings)
        fixed (byte* namePtr = key)
        {
            if (getpwnam_r(namePtr, entry, buffer, (nuint)strings.Length, &result) != 0 || result == null)
                return null;
        }

        uint uid = *(uint*)(entry + (2 * IntPtr.Size));
        uint gid = *(uint*)(entry + (2 * IntPtr.Size) + sizeof(uint));
        return new ServiceAccount(name, uid, gid);
    }

    /// <summary>Whether a file of <paramref name="owner"/> is as trusted as root's: root's own, the running user's, or this account's.</summary>
    public static bool IsTrustedOwner(uint owner, ServiceAccount? account) =>
        owner == 0 || owner == FileKind.EffectiveUserId || (account is not null && owner == account.Uid);

    [LibraryImport(NativeLibraries.LibC)]
    private static unsafe partial int getpwnam_r(byte* name, void* pwd, byte* buf, nuint buflen, void** result);
}
