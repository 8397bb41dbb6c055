using BsmTrace.Policy.Diagnostics;

namespace BsmTrace.Policy;

/// <summary>One sequence, compiled: what starts it, its states in order, and how its alerts are reported.</summary>
public sealed record SequenceDefinition
{
    public required string Name { get; init; }

    public required SourceLocation Location { get; init; }

    public required SubjectSelector Subject { get; init; }

    /// <summary>The states with multipliers expanded; at least one.</summary>
    public required IReadOnlyList<StateDefinition> States { get; init; }

    /// <summary>The states as written, each once (a multiplied state's copies are one state).</summary>
    public IEnumerable<StateDefinition> WrittenStates
    {
        get
        {
            // Copies of a multiplied state are consecutive. A loop rather than DistinctBy, whose
            // generic code over the int key is compiled at every start.
            int last = -1;
            foreach (var state in States)
            {
                if (state.WrittenIndex != last)
                    yield return state;
                last = state.WrittenIndex;
            }
        }
    }

    /// <summary>Seconds after the first record past which an instance expires; null for never.</summary>
    public long? TimeoutSeconds { get; init; }

    /// <summary>Upper bound of the random extra added to each instance's timeout (timeout-window), in seconds; 0 for none.</summary>
    public long TimeoutWindowSeconds { get; init; }

    /// <summary>timeout-prob: the percentage that scales the random extra (default 65).</summary>
    public int TimeoutProbability { get; init; } = 65;

    public int Priority { get; init; }

    public int Serial { get; init; }

    public SequenceScope Scope { get; init; }

    public ZoneRule Zone { get; init; } = ZoneRule.Unrestricted;

    /// <summary>The log channels named by <c>log</c>; empty for the command line's outputs.</summary>
    public IReadOnlyList<LogChannelDefinition> LogChannels { get; init; } = [];

    /// <summary>The <c>logfile</c> in force where the sequence was defined; null for bsmtrace.log.</summary>
    public string? LogFile { get; init; }

    /// <summary>
    /// The sequence's definition as canonical text: two loads of a policy give
    /// equal fingerprints for a sequence exactly when its meaning did not
    /// change, so a reload can keep its live instances.
    /// </summary>
    public required string Fingerprint { get; init; }
}
