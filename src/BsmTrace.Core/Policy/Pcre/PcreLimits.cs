namespace BsmTrace.Policy.Pcre;

/// <summary>
/// How much work one pattern may do on one path before PCRE2 gives up (pcre2_set_match_limit,
/// pcre2_set_depth_limit). A path is shaped by whoever named the file: without a limit a pattern
/// that backtracks badly spends tens of milliseconds per record, and PCRE2's own default limit,
/// when reached, used to read as "no match", which hid the record. The defaults keep the worst
/// record near a millisecond (bench/run measures it); a pattern that reaches them fails closed.
/// </summary>
public sealed record PcreLimits
{
    public const uint DefaultMatchLimit = 100_000;
    public const uint DefaultDepthLimit = 10_000;

    public static PcreLimits Default { get; } = new();

    /// <summary>Steps of the matcher (backtracking included) per path, at most.</summary>
    public uint MatchLimit { get; init; } = DefaultMatchLimit;

    /// <summary>Nested backtracking depth per path, at most (the interpreter only; the JIT has its own stack).</summary>
    public uint DepthLimit { get; init; } = DefaultDepthLimit;
}
