namespace BsmTrace.Printing;

/// <summary>How <c>bsmtrace print</c> shows records: praudit's flags, plus JSON.</summary>
public sealed record PrintOptions
{
    /// <summary>praudit -r: numbers everywhere (token ids, events, times, ids).</summary>
    public bool Raw { get; init; }

    /// <summary>praudit -n: user and group ids stay numeric.</summary>
    public bool NoResolve { get; init; }

    /// <summary>praudit -s: events by their AUE_ name instead of their description.</summary>
    public bool ShortEvents { get; init; }

    /// <summary>praudit -l: one line per record.</summary>
    public bool OneLine { get; init; }

    /// <summary>praudit -x: XML.</summary>
    public bool Xml { get; init; }

    /// <summary>One JSON object per record, every token with named fields.</summary>
    public bool Json { get; init; }

    /// <summary>praudit -d: the field delimiter.</summary>
    public string Delimiter { get; init; } = ",";
}
