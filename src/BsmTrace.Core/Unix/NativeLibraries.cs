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

    /// <summary>PCRE2's 8-bit library: the engine PCRE.NET wraps, present on most hosts as a dependency of grep, git or glib.</summary>
    public const string Pcre2 = "pcre2-8";

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
            // On macOS a name without a '/' is also looked for in the working directory: a root
            // process started in one that others can write must not load a library from there.
            LibC when OperatingSystem.IsMacOS() => ["/usr/lib/libSystem.B.dylib"],
            LibC when OperatingSystem.IsFreeBSD() => ["libc.so.7"],
            LibC => ["libc.so.6", "libc.so"],
            // Debian and Ubuntu ship only the versioned name unless the -dev package is installed;
            // FreeBSD ports and Homebrew/MacPorts put it outside the default search path.
            Pcre2 when OperatingSystem.IsMacOS() =>
                ["/opt/homebrew/lib/libpcre2-8.0.dylib", "/usr/local/lib/libpcre2-8.0.dylib", "/opt/local/lib/libpcre2-8.0.dylib"],
            Pcre2 => ["libpcre2-8.so.0", "libpcre2-8.so", "/usr/local/lib/libpcre2-8.so.0", "/usr/local/lib/libpcre2-8.so"],
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
