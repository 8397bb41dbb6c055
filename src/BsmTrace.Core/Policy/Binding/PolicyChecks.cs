using BsmTrace.Policy.Diagnostics;

namespace BsmTrace.Policy.Binding;

/// <summary>
/// Findings about a policy that loads but is probably not what its author
/// meant: sets never used, states that can never match, sequences that start
/// exactly like an earlier one. (Who may rewrite a policy is
/// <see cref="TrustChecks"/>' concern.)
/// </summary>
internal static class PolicyChecks
{
    public static void Run(string path, IReadOnlyList<BoundSet> sets, IReadOnlyList<SequenceDefinition> sequences, DiagnosticBag diagnostics)
    {
        if (sequences.Count == 0 && !diagnostics.HasErrors)
            diagnostics.Warning(new SourceLocation(path, 0, 0), "the policy defines no sequence: bsmtrace would watch for nothing");

        foreach (var set in sets.Where(s => !s.Used))
            diagnostics.Warning(set.Location, $"set {set.Name} is never used");

        var starts = new Dictionary<string, SequenceDefinition>(StringComparer.Ordinal);
        foreach (var sequence in sequences)
        {
            foreach (var state in sequence.WrittenStates)
                CheckState(sequence, state, diagnostics);

            if (sequence.TimeoutWindowSeconds > 0 && sequence.TimeoutSeconds is null)
                diagnostics.Warning(sequence.Location, $"sequence {sequence.Name} has a timeout-window but no timeout; the window has no effect");

            string start = $"{sequence.Subject.Field}|{sequence.Subject.Negated}|{sequence.Subject.IsAny}|{SubjectSelector.Join(sequence.Subject.SortedIds)}|{sequence.Zone}|{sequence.Scope}|{sequence.States[0].Description}";
            if (starts.TryGetValue(start, out var earlier))
            {
                diagnostics.Warning(sequence.Location,
                    $"sequence {sequence.Name} has the same subject and first state as sequence {earlier.Name} ({earlier.Location}); the same records start both");
            }
            else
            {
                starts.Add(start, sequence);
            }
        }
    }

    private static void CheckState(SequenceDefinition sequence, StateDefinition state, DiagnosticBag diagnostics)
    {
        string which = $"state {state.WrittenIndex + 1} of sequence {sequence.Name}";
        if (state.Event.Count == 0)
            diagnostics.Warning(state.Location, $"{which} can never match: its event rule ({state.Event.Description}) takes no event in the event table");
        if (state.Status == StatusRule.Never)
            diagnostics.Warning(state.Location, $"{which} can never match: it asks for status success and status failure");
        if (state.Object is { IsEmpty: true, Negated: false })
            diagnostics.Warning(state.Location, $"{which} can never match: its object set ({state.Object.Description}) is empty");
    }
}
