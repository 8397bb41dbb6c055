using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;

namespace BsmTrace.Unix;

/// <summary>
/// The system's user and group database through the C library (getpwuid_r,
/// getgrgid_r, getpwnam_r, getgrnam_r), so that NSS, LDAP and NIS answer as
/// they do for every other program on the host. Answers are cached: names
/// are looked up while printing and while loading policies, never per record.
/// </summary>
public sealed partial class UserDatabase
{
    // The first fields of struct passwd and struct group are the same on Linux,
    // FreeBSD and macOS: name, password, then the numeric id.
    private const int StructBufferSize = 256;
    private const int StringBufferSize = 16 * 1024;

    private readonly ConcurrentDictionary<uint, string?> _userNames = new();
    private readonly ConcurrentDictionary<uint, string?> _groupNames = new();
    private readonly ConcurrentDictionary<string, uint?> _userIds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, uint?> _groupIds = new(StringComparer.Ordinal);

    static UserDatabase() => NativeLibraries.EnsureRegistered();

    public static UserDatabase Shared { get; } = new();

    public string? UserName(uint uid) => _userNames.GetOrAdd(uid, static id => Lookup(id, byName: null, group: false).Name);

    public string? GroupName(uint gid) => _groupNames.GetOrAdd(gid, static id => Lookup(id, byName: null, group: true).Name);

    public bool TryGetUserId(string name, out uint uid)
    {
        var found = _userIds.GetOrAdd(name, static n => Lookup(0, n, group: false) is { Name: not null } e ? e.Id : null);
        uid = found.GetValueOrDefault();
        return found.HasValue;
    }

    public bool TryGetGroupId(string name, out uint gid)
    {
        var found = _groupIds.GetOrAdd(name, static n => Lookup(0, n, group: true) is { Name: not null } e ? e.Id : null);
        gid = found.GetValueOrDefault();
        return found.HasValue;
    }

    private static unsafe (string? Name, uint Id) Lookup(uint id, string? byName, bool group)
    {
        byte* entry = stackalloc byte[StructBufferSize];
        var strings = new byte[StringBufferSize];
        void* result = null;
        int error;
        fixed (byte* buffer = strings)
        {
            if (byName is null)
            {
                error = group
                    ? getgrgid_r(id, entry, buffer, (nuint)strings.Length, &result)
                    : getpwuid_r(id, entry, buffer, (nuint)strings.Length, &result);
            }
            else
            {
                var name = Encoding.UTF8.GetBytes(byName + "\0");
                fixed (byte* namePtr = name)
                {
                    error = group
                        ? getgrnam_r(namePtr, entry, buffer, (nuint)strings.Length, &result)
                        : getpwnam_r(namePtr, entry, buffer, (nuint)strings.Length, &result);
                }
            }

            if (error != 0 || result == null)
                return (null, 0);

            var namePointer = *(IntPtr*)entry;
            uint foundId = *(uint*)(entry + 2 * IntPtr.Size);
            return (Marshal.PtrToStringUTF8(namePointer), foundId);
        }
    }

    [LibraryImport(NativeLibraries.LibC)]
    private static unsafe partial int getpwuid_r(uint uid, void* pwd, byte* buf, nuint buflen, void** result);

    [LibraryImport(NativeLibraries.LibC)]
    private static unsafe partial int getgrgid_r(uint gid, void* grp, byte* buf, nuint buflen, void** result);

    [LibraryImport(NativeLibraries.LibC)]
    private static unsafe partial int getpwnam_r(byte* name, void* pwd, byte* buf, nuint buflen, void** result);

    [LibraryImport(NativeLibraries.LibC)]
    private static unsafe partial int getgrnam_r(byte* name, void* grp, byte* buf, nuint buflen, void** result);
}
