using System.Runtime.InteropServices;
using BsmTrace.Unix;

namespace BsmTrace.Policy.Pcre;

/// <summary>
/// The few functions of the system's libpcre2-8 that bsmtrace needs. PCRE.NET,
/// which wraps the same engine, is not on our package source, so we bind it
/// directly; the library name is resolved per system by <see cref="NativeLibraries"/>.
/// </summary>
internal static unsafe partial class Pcre2Native
{
    public const uint JitComplete = 0x00000001;
    public const int ErrorNoMatch = -1;

    static Pcre2Native() => NativeLibraries.EnsureRegistered();

    [LibraryImport(NativeLibraries.Pcre2, EntryPoint = "pcre2_compile_8")]
    public static partial nint Compile(byte* pattern, nuint length, uint options, out int errorCode, out nuint errorOffset, nint context);

    [LibraryImport(NativeLibraries.Pcre2, EntryPoint = "pcre2_jit_compile_8")]
    public static partial int JitCompile(nint code, uint options);

    [LibraryImport(NativeLibraries.Pcre2, EntryPoint = "pcre2_code_free_8")]
    public static partial void CodeFree(nint code);

    [LibraryImport(NativeLibraries.Pcre2, EntryPoint = "pcre2_match_data_create_8")]
    public static partial nint MatchDataCreate(uint pairs, nint context);

    [LibraryImport(NativeLibraries.Pcre2, EntryPoint = "pcre2_match_data_free_8")]
    public static partial void MatchDataFree(nint matchData);

    [LibraryImport(NativeLibraries.Pcre2, EntryPoint = "pcre2_match_8")]
    public static partial int Match(nint code, byte* subject, nuint length, nuint startOffset, uint options, nint matchData, nint context);

    /// <summary>
    /// The JIT's own entry, for patterns the JIT compiled: it skips the checks
    /// pcre2_match makes. Without a GC transition: a match over a path of at most
    /// a few kilobytes returns in microseconds, and the transition cost as much
    /// as the match on the hot path.
    /// </summary>
    [LibraryImport(NativeLibraries.Pcre2, EntryPoint = "pcre2_jit_match_8")]
    [SuppressGCTransition]
    public static partial int JitMatch(nint code, byte* subject, nuint length, nuint startOffset, uint options, nint matchData, nint context);

    [LibraryImport(NativeLibraries.Pcre2, EntryPoint = "pcre2_match_context_create_8")]
    public static partial nint MatchContextCreate(nint general);

    [LibraryImport(NativeLibraries.Pcre2, EntryPoint = "pcre2_match_context_free_8")]
    public static partial void MatchContextFree(nint context);

    [LibraryImport(NativeLibraries.Pcre2, EntryPoint = "pcre2_set_match_limit_8")]
    public static partial int SetMatchLimit(nint context, uint limit);

    [LibraryImport(NativeLibraries.Pcre2, EntryPoint = "pcre2_set_depth_limit_8")]
    public static partial int SetDepthLimit(nint context, uint limit);

    [LibraryImport(NativeLibraries.Pcre2, EntryPoint = "pcre2_get_error_message_8")]
    public static partial int GetErrorMessage(int errorCode, byte* buffer, nuint length);
}
