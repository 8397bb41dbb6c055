namespace BsmTrace.Policy.Diagnostics;

/// <summary>
/// Collects diagnostics in the order they are found. At a limit of errors it
/// stops collecting (a policy mangled throughout would otherwise print
/// thousands of lines); <see cref="IsFull"/> tells the parser and binder to stop,
/// and the loader adds one line that says so.
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

    public int ErrorLimit => _errorLimit;

    public void Error(SourceLocation at, string message)
    {
        if (IsFull)
            return;
        ErrorCount++;
        _items.Add(new Diagnostic(DiagnosticSeverity.Error, at, message));
    }

    public void Warning(SourceLocation at, string message) => _items.Add(new Diagnostic(DiagnosticSeverity.Warning, at, message));
}
