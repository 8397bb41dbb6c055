namespace BsmTrace.Policy.Diagnostics;

/// <summary>One finding about a policy, printed as <c>FILE:LINE:COLUMN: error: message</c>.</summary>
public sealed record Diagnostic(DiagnosticSeverity Severity, SourceLocation Location, string Message)
{
    public bool IsError => Severity == DiagnosticSeverity.Error;

    public override string ToString() =>
        $"{Location}: {(IsError ? "error" : "warning")}: {Message}";
}
