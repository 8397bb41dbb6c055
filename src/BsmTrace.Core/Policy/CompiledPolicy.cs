using BsmTrace.Events;
using BsmTrace.Policy.Pcre;

namespace BsmTrace.Policy;

/// <summary>
/// A policy that loaded without errors: immutable, shared by every matcher
/// worker. It owns its compiled patterns; dispose it when no worker uses it.
/// </summary>
public sealed class CompiledPolicy : IDisposable
{
    private readonly IReadOnlyList<PcrePattern> _patterns;

    internal CompiledPolicy(IReadOnlyList<SequenceDefinition> sequences, IReadOnlyList<LogChannelDefinition> channels,
        IReadOnlyList<string> files, AuditEventTable events, IReadOnlyList<PcrePattern> patterns)
    {
        Sequences = sequences;
        LogChannels = channels;
        Files = files;
        Events = events;
        _patterns = patterns;
    }

    public IReadOnlyList<SequenceDefinition> Sequences { get; }

    public IReadOnlyList<LogChannelDefinition> LogChannels { get; }

    /// <summary>Every file the policy was read from, the main file first: a change to any of them means a reload.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>The event table the names were resolved against.</summary>
    public AuditEventTable Events { get; }

    public bool HasTriggers => Sequences.Any(s => s.States.Any(st => st.Trigger is not null));

    public void Dispose()
    {
        foreach (var p in _patterns)
            p.Dispose();
    }
}
