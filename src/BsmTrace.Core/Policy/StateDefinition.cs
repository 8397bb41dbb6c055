using BsmTrace.Policy.Diagnostics;
using BsmTrace.Policy.Triggers;

namespace BsmTrace.Policy;

/// <summary>
/// One state of a sequence, compiled. A state with <c>multiplier N</c> is
/// expanded into N of these in a row, each remembering which written state it
/// came from.
/// </summary>
public sealed record StateDefinition(
    EventMatcher Event,
    StatusRule Status,
    ObjectMatcher? Object,
    TriggerTemplate? Trigger,
    int WrittenIndex,
    SourceLocation Location)
{
    /// <summary>How the state reads, for diagnostics and for telling states apart.</summary>
    public string Description =>
        $"event {Event.Description}; status {Status.ToString().ToLowerInvariant()}" + (Object is null ? "" : $"; object {Object.Description}");
}
