namespace BsmTrace.Policy.Diagnostics;

/// <summary>
/// Collects diagnostics in the order they are found. Past a limit of errors
/// it stops collecting (a policy mangled throughout would otherwise print
/// thousands of lines) and says so once.
/// </summary>
public sealed class DiagnosticBag
{
    public const int DefaultErrorLimit = 50;

    private readonly List<Diagnostic> _items = [];
    private readonly int _errorLimit;

    public DiagnosticBag(int errorLimit = DefaultErrorLimit) => _errorLimit = errorLimit;

    public int ErrorCount { get; private set; }

    public bool HasErrors => ErrorCount > 0;

    /// <summary>Whether the error limit was reached; parsers use this to stop early.</summary>
    public bool IsFull => ErrorCount >= _errorLimit;

    public IReadOnlyList<Diagnostic> Items => _items;

    public void Error(SourceLocation at, string message)
    {
        if (ErrorCount > _errorLimit)
            return;
        ErrorCount++;
        _items.Add(ErrorCount > _errorLimit
            ? new Diagnostic(DiagnosticSeverity.Error, at, $"too many errors ({_errorLimit}); stopped looking")
            : new Diagnostic(DiagnosticSeverity.Error, at, message));
    }

    public void Warning(SourceLocation at, string message) => _items.Add(new Diagnostic(DiagnosticSeverity.Warning, at, message));
}
