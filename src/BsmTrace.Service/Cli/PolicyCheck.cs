using BsmTrace.Policy;
using BsmTrace.Policy.Binding;

namespace BsmTrace.Service.Cli;

/// <summary>
/// Loads a policy only to report on it: <c>bsmtrace -n -f FILE</c> prints its
/// errors, <c>bsmtrace check FILE</c> its errors and warnings and a summary.
/// Exit 0 when the policy loads, 1 when it does not.
/// </summary>
internal static class PolicyCheck
{
    public const string DefaultPolicyPath = "/usr/local/etc/bsmtrace.conf";

    public static int Run(string path, bool withWarnings, string? eventFile, string? classFile, TextWriter stdout, TextWriter stderr)
    {
        var environment = PolicyEnvironment.Load(eventFile, classFile);
        var result = PolicyLoader.Load(path, environment);
        using var policy = result.Policy;

        foreach (var d in result.Diagnostics.Where(d => withWarnings || d.IsError))
            stderr.WriteLine(d.ToString());

        if (withWarnings)
        {
            int warnings = result.Warnings.Count();
            if (policy is not null)
            {
                stdout.WriteLine($"{path}: {CommandLine.Count(policy.Sequences.Count, "sequence")}, {CommandLine.Count(policy.Sequences.Sum(s => s.States.Count), "state")}, " +
                    $"{CommandLine.Count(result.Files.Count, "file")}, {CommandLine.Count(warnings, "warning")}");
            }
            else
            {
                stdout.WriteLine($"{path}: {CommandLine.Count(result.Errors.Count(), "error")}, {CommandLine.Count(warnings, "warning")}: the policy does not load");
            }
        }

        return policy is null ? CommandLine.Failure : CommandLine.Success;
    }
}
