using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BsmTrace.Tests.Support;

/// <summary>What every test may assume of the process it runs in, whoever runs the suite.</summary>
internal static partial class TestProcessSetup
{
    [ModuleInitializer]
    internal static void Initialize()
    {
        NativeLibrary.SetDllImportResolver(typeof(TestProcessSetup).Assembly, ResolveLibC);
        // umask 022: a runner whose umask is 002 would make every policy and script the tests
        // write group-writable, which bsmtrace rightly refuses for a policy with triggers.
        _ = umask(0x12); // the mask it replaces is of no interest
    }

    /// <summary>The tests' own imports name "libc", as bsmtrace's do; each system ships it under another name.</summary>
    private static IntPtr ResolveLibC(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != "libc")
            return IntPtr.Zero;
        string file = OperatingSystem.IsMacOS() ? "libSystem.dylib" : OperatingSystem.IsFreeBSD() ? "libc.so.7" : "libc.so.6";
        return NativeLibrary.TryLoad(file, assembly, searchPath, out var handle) ? handle : IntPtr.Zero;
    }

    [LibraryImport("libc")]
    private static partial uint umask(uint mask);
}
