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

    private const long Unknown = -1;

    // Under one lock, keyed and valued by long: the framework precompiles its dictionaries for
    // those, where the concurrent dictionaries over uint and uint? were compiled at every start
    // (a dozen methods while the policy loads). Lookups are rare: never per record.
    private readonly Lock _lock = new();
    private readonly Dictionary<long, string?> _userNames = [];
    private readonly Dictionary<long, string?> _groupNames = [];
    private readonly Dictionary<string, long> _userIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _groupIds = new(StringComparer.Ordinal);

    // Set for a database of fixed tables (tests, a host whose user database must not be asked): then nothing else answers.
    private readonly bool _fixed;

    static UserDatabase() => NativeLibraries.EnsureRegistered();

    /// <summary>The system's database, through the C library.</summary>
    public UserDatabase()
    {
    }

    /// <summary>A database of these users and groups alone; the system's is never asked.</summary>
    public UserDatabase(IReadOnlyDictionary<uint, string> users, IReadOnlyDictionary<uint, string> groups)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(groups);
        _fixed = true;
        foreach (var (id, name) in users)
        {
            _userNames[id] = name;
            _userIds[name] = id;
        }

        foreach (var (id, name) in groups)
        {
            _groupNames[id] = name;
            _groupIds[name] = id;
        }
    }

    public static UserDatabase Shared { get; } = new();

    public string? UserName(uint uid) => NameOf(_userNames, uid, group: false);

    public string? GroupName(uint gid) => NameOf(_groupNames, gid, group: true);

    public bool TryGetUserId(string name, out uint uid) => TryGetId(_userIds, name, group: false, out uid);

    public bool TryGetGroupId(string name, out uint gid) => TryGetId(_groupIds, name, group: true, out gid);

    private string? NameOf(Dictionary<long, string?> cache, uint id, bool group)
    {
        lock (_lock)
        {
            if (cache.TryGetValue(id, out var known))
                return known;
        }

        // Asked outside the lock: NSS may go to the network (LDAP, NIS).
        string? name = _fixed ? null : Lookup(id, byName: null, group).Name;
        lock (_lock)
            cache[id] = name;
        return name;
    }

    private bool TryGetId(Dictionary<string, long> cache, string name, bool group, out uint id)
    {
        long found;
        bool cached;
        lock (_lock)
            cached = cache.TryGetValue(name, out found);
        if (!cached)
        {
            found = !_fixed && Lookup(0, name, group) is { Name: not null } entry ? entry.Id : Unknown;
            lock (_lock)
                cache[name] = found;
        }

        id = (uint)found;
        return found != Unknown;
    }

    /// <summary>
    /// A user's id and primary group by name, asked of the system's database each time (not
    /// cached: the account a service becomes is looked up when it starts); false when there is none.
    /// </summary>
    public static bool TryGetAccount(string name, out uint uid, out uint gid)
    {
        ArgumentNullException.ThrowIfNull(name);
        var entry = Lookup(0, name, group: false);
        (uid, gid) = (entry.Id, entry.Gid);
        return entry.Name is not null;
    }

    private static unsafe (string? Name, uint Id, uint Gid) Lookup(uint id, string? byName, bool group)
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
                return (null, 0, 0);

            var namePointer = *(IntPtr*)entry;
            uint foundId = *(uint*)(entry + 2 * IntPtr.Size);
            // struct passwd's pw_gid follows pw_uid on Linux, FreeBSD and macOS alike (groups have none here).
            uint gid = group ? 0 : *(uint*)(entry + (2 * IntPtr.Size) + sizeof(uint));
            return (Marshal.PtrToStringUTF8(namePointer), foundId, gid);
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
