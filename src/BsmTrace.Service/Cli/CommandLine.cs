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
        var root = new RootCommand("bsmtrace: watch BSM audit records for sequences of events that mean trouble.")
        {
            PrintCommand.Create(stderr),
        };

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
