namespace BsmTrace.Policy.Pcre;

/// <summary>A pattern PCRE2 refused, with PCRE2's message and the offset in the pattern where it stopped.</summary>
public sealed class PcreCompileException(string message, int patternOffset) : Exception(message)
{
    public int PatternOffset { get; } = patternOffset;
}
