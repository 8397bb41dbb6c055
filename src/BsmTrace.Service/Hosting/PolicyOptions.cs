using BsmTrace.Policy;
using BsmTrace.Policy.Diagnostics;

namespace BsmTrace.Service.Hosting;

/// <summary>
/// The policy as an options value: each reload (SIGHUP, a changed policy or
/// include file) is a new value of <c>IOptionsMonitor&lt;PolicyOptions&gt;</c>.
/// A load that failed has no <see cref="Policy"/>, only its diagnostics; the
/// service then keeps the policy it runs.
/// </summary>
public sealed class PolicyOptions
{
    public CompiledPolicy? Policy { get; set; }

    public IReadOnlyList<Diagnostic> Diagnostics { get; set; } = [];

    /// <summary>The files the load read (or tried to): what to watch for the next change.</summary>
    public IReadOnlyList<string> Files { get; set; } = [];

    public string Path { get; set; } = "";
}
