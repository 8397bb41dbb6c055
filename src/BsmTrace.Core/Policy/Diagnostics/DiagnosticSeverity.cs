namespace BsmTrace.Policy.Diagnostics;

public enum DiagnosticSeverity
{
    /// <summary>The policy does not load.</summary>
    Error,
    /// <summary>The policy loads, but something in it is probably not what its author meant (shown by <c>bsmtrace check</c>).</summary>
    Warning,
}
