using System.CommandLine;

namespace BsmTrace.Service.Cli;

/// <summary>
/// The command line: its commands, and the rule that whatever goes wrong
/// reaches the user as one line on stderr and exit status 1, never a stack trace.
/// </summary>
public static class CommandLine
{
    public const int Success = 0;
    public const int Failure = 1;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        var policyFile = new Option<string>("-f") { Description = $"The policy (default {PolicyCheck.DefaultPolicyPath}).", DefaultValueFactory = _ => PolicyCheck.DefaultPolicyPath };
        var checkOnly = new Option<bool>("-n") { Description = "Load the policy, print its errors, and exit: 0 when it loads, 1 when it does not." };
        var eventFile = new Option<string?>("--event-file") { Description = "Event table (default /etc/security/audit_event, else the built-in OpenBSM table).", Recursive = true };
        var classFile = new Option<string?>("--class-file") { Description = "Class table (default /etc/security/audit_class, else the built-in OpenBSM table).", Recursive = true };

        var checkFile = new Argument<string>("FILE") { Description = "The policy to check." };
        var check = new Command("check", "Load a policy and report its errors and warnings (unused sets, states that never match, unsafe files).") { checkFile };
        check.SetAction(parse => PolicyCheck.Run(parse.GetValue(checkFile)!, withWarnings: true, parse.GetValue(eventFile), parse.GetValue(classFile), stdout, stderr));

        var root = new RootCommand("bsmtrace: watch BSM audit records for sequences of events that mean trouble.")
        {
            policyFile, checkOnly, eventFile, classFile,
            PrintCommand.Create(stderr, eventFile, classFile),
            check,
        };
        root.SetAction(parse =>
        {
            if (parse.GetValue(checkOnly))
                return PolicyCheck.Run(parse.GetValue(policyFile)!, withWarnings: false, parse.GetValue(eventFile), parse.GetValue(classFile), stdout, stderr);
            stderr.WriteLine("bsmtrace: this build can check policies (-n, check) and print trails (print); matching trails arrives with the sequence engine");
            return Failure;
        });

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            stderr.WriteLine($"bsmtrace: {parse.Errors[0].Message} (see 'bsmtrace --help')");
            return Failure;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException or NotSupportedException)
        {
            stderr.WriteLine($"bsmtrace: {e.Message}");
            return Failure;
        }
    }
}
