namespace BsmTrace.Policy.Pcre;

/// <summary>What matching a pattern against one path came to.</summary>
public enum PcreOutcome
{
    NoMatch,
    Match,

    /// <summary>PCRE2 gave up (a limit reached, out of memory): the path is neither matched nor not.</summary>
    Failed,
}
