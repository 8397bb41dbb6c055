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
    private CompiledPolicy? _policy;

    public CompiledPolicy? Policy
    {
        get => Volatile.Read(ref _policy);
        set => Volatile.Write(ref _policy, value);
    }

    /// <summary>Whether the load failed (its errors are in <see cref="Diagnostics"/>).</summary>
    public bool Failed => Diagnostics.Any(d => d.IsError);

    /// <summary>
    /// Hands the policy to the run that will own it, once: the same value delivered twice gets
    /// nothing the second time, rather than a policy the run may already have disposed.
    /// </summary>
    public CompiledPolicy? TakePolicy() => Interlocked.Exchange(ref _policy, null);

    public IReadOnlyList<Diagnostic> Diagnostics { get; set; } = [];

    /// <summary>The files the load read (or tried to): what to watch for the next change.</summary>
    public IReadOnlyList<string> Files { get; set; } = [];

    public string Path { get; set; } = "";
}
