using System.Text;

namespace BsmTrace.Policy.Pcre;

/// <summary>
/// One compiled Perl-compatible pattern, matched unanchored against a path's
/// bytes as the original's pcre_exec did (no UTF mode: a path need not be valid
/// UTF-8, and the original matched bytes). Compiled with the JIT where the
/// library has one, and matched within <see cref="PcreLimits"/>: one that reaches them says
/// <see cref="PcreOutcome.Failed"/>, never "no match". Thread-safe: each matching thread gets its
/// own match block; the match context (the limits) is only read.
/// </summary>
public sealed class PcrePattern : IDisposable
{
    // Longer subjects go through pcre2_match, with its GC transition (see Pcre2Native.JitMatch).
    private const int MaxJitSubject = 16 * 1024;
    private readonly nint _code;
    private readonly nint _context;
    // pcre2 match data must not be shared between threads that match at once; one per
    // thread, made on first use and freed with the pattern.
    private readonly ThreadLocal<MatchData> _matchData = new(() => new MatchData(), trackAllValues: true);
    private int _disposed;

    private PcrePattern(string pattern, nint code, nint context, bool jit)
    {
        Pattern = pattern;
        _code = code;
        _context = context;
        IsJitCompiled = jit;
    }

    public string Pattern { get; }

    public bool IsJitCompiled { get; }

    /// <summary>Whether this host has libpcre2-8 at all.</summary>
    public static bool IsLibraryAvailable
    {
        get
        {
            try
            {
                unsafe
                {
                    byte* buffer = stackalloc byte[8];
                    _ = Pcre2Native.GetErrorMessage(Pcre2Native.ErrorNoMatch, buffer, 8);
                }

                return true;
            }
            catch (DllNotFoundException)
            {
                return false;
            }
        }
    }

    /// <summary>Compiles a pattern; throws <see cref="PcreCompileException"/> with PCRE2's own message when it does not compile, and <see cref="DllNotFoundException"/> when the host has no libpcre2-8.</summary>
    public static unsafe PcrePattern Compile(string pattern, PcreLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        limits ??= PcreLimits.Default;
        var bytes = Encoding.UTF8.GetBytes(pattern);
        nint code;
        int error;
        nuint offset;
        fixed (byte* p = bytes)
            code = Pcre2Native.Compile(p, (nuint)bytes.Length, 0, out error, out offset, 0);
        if (code == 0)
            throw new PcreCompileException(ErrorMessage(error), (int)offset);

        // A host library built without JIT answers with an error; the interpreter still matches.
        bool jit = Pcre2Native.JitCompile(code, Pcre2Native.JitComplete) == 0;
        nint context = Pcre2Native.MatchContextCreate(0);
        if (context == 0)
        {
            Pcre2Native.CodeFree(code);
            throw new InvalidOperationException("pcre2_match_context_create failed: out of memory");
        }

        _ = Pcre2Native.SetMatchLimit(context, limits.MatchLimit);
        _ = Pcre2Native.SetDepthLimit(context, limits.DepthLimit);
        return new PcrePattern(pattern, code, context, jit);
    }

    /// <summary>
    /// Whether the pattern is found anywhere in <paramref name="subject"/>, or
    /// <see cref="PcreOutcome.Failed"/> with PCRE2's <paramref name="error"/> code when it could
    /// not say (a limit reached). Allocates nothing after a thread's first call.
    /// </summary>
    public unsafe PcreOutcome Match(ReadOnlySpan<byte> subject, out int error)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        nint matchData = _matchData.Value!.Handle;
        int rc;
        fixed (byte* s = subject)
        {
            // A NULL subject pointer is refused even at length 0; give it a valid one.
            byte empty = 0;
            byte* start = s == null ? &empty : s;
            rc = IsJitCompiled && subject.Length <= MaxJitSubject
                ? Pcre2Native.JitMatch(_code, start, (nuint)subject.Length, 0, 0, matchData, _context)
                : Pcre2Native.Match(_code, start, (nuint)subject.Length, 0, 0, matchData, _context);
        }

        // rc == 0 means the match vector was too small to hold every group: still a match.
        error = rc < 0 && rc != Pcre2Native.ErrorNoMatch ? rc : 0;
        return rc >= 0 ? PcreOutcome.Match : rc == Pcre2Native.ErrorNoMatch ? PcreOutcome.NoMatch : PcreOutcome.Failed;
    }

    /// <summary>PCRE2's words for an error <see cref="Match"/> gave ("match limit exceeded").</summary>
    public static string Describe(int error) => ErrorMessage(error);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        foreach (var data in _matchData.Values)
            data.Dispose();
        _matchData.Dispose();
        Pcre2Native.MatchContextFree(_context);
        Pcre2Native.CodeFree(_code);
    }

    private static unsafe string ErrorMessage(int error)
    {
        byte* buffer = stackalloc byte[256];
        int length = Pcre2Native.GetErrorMessage(error, buffer, 256);
        return length > 0 ? Encoding.UTF8.GetString(buffer, length) : $"PCRE2 error {error}";
    }

    private sealed class MatchData : IDisposable
    {
        // One pair is enough: bsmtrace asks only whether the pattern is found.
        public nint Handle { get; } = Pcre2Native.MatchDataCreate(1, 0) is var h && h != 0 ? h : throw new InvalidOperationException("pcre2_match_data_create failed: out of memory");

        public void Dispose() => Pcre2Native.MatchDataFree(Handle);
    }
}
