using BsmTrace.Policy.Diagnostics;
using BsmTrace.Policy.Triggers;
using BsmTrace.Unix;

namespace BsmTrace.Policy.Binding;

/// <summary>
/// A policy that makes bsmtrace run a program (a trigger) or write a file (a file, json or bsm
/// channel) is refused when anyone but root and bsmtrace's own user could have written it, any
/// file it includes, or a trigger's program (see <see cref="FileTrust"/>): else whoever can
/// change those files can make root run their program or write where they choose. The same
/// check serves <c>-n</c>, <c>check</c>, the run and every reload, so they always agree.
/// </summary>
internal static class TrustChecks
{
    public static void Run(IReadOnlyList<(string File, string Problem)> untrustedFiles, IReadOnlyList<TriggerTemplate> triggers,
        IReadOnlyList<LogChannelDefinition> channels, ServiceAccount? account, DiagnosticBag diagnostics)
    {
        string? acts = (triggers.Count > 0, channels.Any(WritesFiles)) switch
        {
            (true, true) => "runs trigger commands and writes files",
            (true, false) => "runs trigger commands",
            (false, true) => "writes files",
            _ => null,
        };
        if (acts is null)
        {
            // It makes root neither run nor write anything, but whoever can change it can change
            // what bsmtrace watches for, and so blind it: said, not refused.
            foreach (var (file, problem) in untrustedFiles)
                diagnostics.Warning(new SourceLocation(file, 0, 0), $"{problem}; whoever can change it can change what bsmtrace watches for");
            return;
        }

        foreach (var (file, problem) in untrustedFiles)
            diagnostics.Error(new SourceLocation(file, 0, 0), $"{problem}, and this policy {acts} as bsmtrace's user; only root and that user may be able to change it");

        var examined = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var trigger in triggers)
        {
            if (trigger.ProgramPath is not { } program)
            {
                diagnostics.Warning(trigger.Location, $"trigger program '{trigger.ProgramName}' is not in any directory of PATH; the trigger will fail until it is");
                continue;
            }

            if (!examined.TryGetValue(program, out var problem))
            {
                // A program not there yet is run once it is: its directories are checked all the same.
                problem = File.Exists(program) ? FileTrust.Of(program, account) : FileTrust.OfDirectoriesAbove(program, account);
                examined.Add(program, problem);
                if (!File.Exists(program))
                    diagnostics.Warning(trigger.Location, $"trigger program {program} does not exist; the trigger will fail until it does");
            }

            if (problem is not null)
                diagnostics.Error(trigger.Location, $"trigger program: {problem}; only root and bsmtrace's user may be able to change a program that bsmtrace runs");
        }
    }

    private static bool WritesFiles(LogChannelDefinition channel) =>
        channel.Kind is LogChannelKind.File or LogChannelKind.Bsm || (channel.Kind == LogChannelKind.Json && channel.Path != "-");
}
