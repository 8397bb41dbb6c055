using System.Reflection;
using System.Runtime.InteropServices;

namespace BsmTrace.Unix;

/// <summary>
/// Resolves the native library names this assembly imports to the names each
/// system actually ships: there is no unversioned "libc" on Linux without the
/// development package, and FreeBSD and macOS name theirs differently.
/// </summary>
internal static class NativeLibraries
{
    public const string LibC = "libc";

    private static int _registered;

    /// <summary>Installs the resolver once for the assembly; every type with imports calls this from its static constructor.</summary>
    public static void EnsureRegistered()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0)
            NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        string[] candidates = name switch
        {
            LibC when OperatingSystem.IsMacOS() => ["libSystem.dylib"],
            LibC when OperatingSystem.IsFreeBSD() => ["libc.so.7"],
            LibC => ["libc.so.6", "libc.so"],
            _ => [],
        };

        foreach (var candidate in candidates)
        {
            if (NativeLibrary.TryLoad(candidate, assembly, searchPath, out var handle))
                return handle;
        }

        return IntPtr.Zero;
    }
}
