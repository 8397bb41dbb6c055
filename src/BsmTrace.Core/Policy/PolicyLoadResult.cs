using BsmTrace.Policy.Diagnostics;

namespace BsmTrace.Policy;

/// <summary>
/// What loading a policy gave: the compiled policy when there was no error
/// (a broken policy never loads partially), and every diagnostic found.
/// </summary>
public sealed record PolicyLoadResult(CompiledPolicy? Policy, IReadOnlyList<Diagnostic> Diagnostics, IReadOnlyList<string> Files)
{
    public IEnumerable<Diagnostic> Errors => Diagnostics.Where(d => d.IsError);

    public IEnumerable<Diagnostic> Warnings => Diagnostics.Where(d => !d.IsError);

    public bool Succeeded => Policy is not null;
}
