namespace BsmTrace.Policy;

public enum ZoneRuleKind
{
    /// <summary>No zone option: records with or without a zonename.</summary>
    Unrestricted,
    /// <summary><c>zone none</c>: only records without a zonename token (the host).</summary>
    None,
    /// <summary><c>zone any</c>: only records with a zonename token.</summary>
    Any,
    /// <summary><c>zone "GLOB"</c>: only records whose zonename matches the pattern.</summary>
    Glob,
}
