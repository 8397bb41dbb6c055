namespace BsmTrace.Bsm;

/// <summary>What <see cref="BsmTokenLayout.Measure"/> found at the start of a span.</summary>
public enum TokenMeasure
{
    /// <summary>A whole, well-formed token.</summary>
    Ok,
    /// <summary>The span ends before the token does.</summary>
    Truncated,
    /// <summary>The token id is not one libbsm knows.</summary>
    Unknown,
    /// <summary>A field holds a value the layout does not allow (an address type that is neither 4 nor 16, a data unit that does not exist).</summary>
    Malformed,
}
