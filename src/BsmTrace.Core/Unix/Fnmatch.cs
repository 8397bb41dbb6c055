using System.Runtime.InteropServices;
using System.Text;

namespace BsmTrace.Unix;

/// <summary>
/// The C library's fnmatch(3), which the original used for zone patterns:
/// the same '*', '?' and '[...]' rules, exactly, on every system.
/// </summary>
public sealed partial class Fnmatch
{
    private const int MaxSubject = 1024;
    private readonly byte[] _pattern;

    static Fnmatch() => NativeLibraries.EnsureRegistered();

    public Fnmatch(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        Pattern = pattern;
        _pattern = [.. Encoding.UTF8.GetBytes(pattern), 0];
    }

    public string Pattern { get; }

    /// <summary>Whether <paramref name="subject"/> (bytes, without a NUL) matches; allocates nothing.</summary>
    public unsafe bool IsMatch(ReadOnlySpan<byte> subject)
    {
        if (subject.Length >= MaxSubject || subject.Contains((byte)0))
            return false;
        Span<byte> terminated = stackalloc byte[subject.Length + 1];
        subject.CopyTo(terminated);
        terminated[^1] = 0;
        fixed (byte* p = _pattern)
        fixed (byte* s = terminated)
            return fnmatch(p, s, 0) == 0;
    }

    [LibraryImport(NativeLibraries.LibC)]
    private static unsafe partial int fnmatch(byte* pattern, byte* subject, int flags);
}
