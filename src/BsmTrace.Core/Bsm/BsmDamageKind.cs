namespace BsmTrace.Bsm;

/// <summary>The kinds of damage a trail can carry.</summary>
public enum BsmDamageKind
{
    /// <summary>A header's length field is smaller than a record can be, or larger than the configured maximum.</summary>
    ImpossibleLength,
    /// <summary>The bytes at the end of the declared length are not a trailer of the same length.</summary>
    TrailerMismatch,
    /// <summary>The stream ended inside a record.</summary>
    Truncated,
    /// <summary>Bytes that do not start a record (no header or file token) were skipped.</summary>
    Garbage,
    /// <summary>A token inside a well-framed record is cut short or holds an impossible field.</summary>
    MalformedToken,
    /// <summary>A token id that libbsm does not know.</summary>
    UnknownToken,
}
