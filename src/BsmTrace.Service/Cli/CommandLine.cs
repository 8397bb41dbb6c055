using System.CommandLine;
using BsmTrace.Service.Hosting;

namespace BsmTrace.Service.Cli;

/// <summary>
/// The command line: its commands, and the rule that whatever goes wrong
/// reaches the user as one line on stderr and exit status 1, never a stack trace.
/// </summary>
public static class CommandLine
{
    public const int Success = 0;
    public const int Failure = 1;

    public static string Version => typeof(CommandLine).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>The commit the program was built from (the part of the informational version after '+'), or "unknown".</summary>
    public static string Commit =>
        typeof(CommandLine).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion is { } v && v.IndexOf('+') is int plus and >= 0
            ? v[(plus + 1)..]
            : "unknown";

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, ProcessSignals signals)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        var defaults = new BsmTraceOptions();
        var source = new Option<string>("-a") { Description = $"The audit source: a trail file, '-' for stdin, a FIFO or a device (default {defaults.Source}).", HelpName = "trail" };
        var rawDump = new Option<bool>("-b") { Description = "Write the raw bytes of every record that matches a state to stdout." };
        var evidence = new Option<bool>("-B") { Description = "Keep the records of each alert as an evidence file under the log directory (needs -l)." };
        var debug = new Option<bool>("-d") { Description = "Debug: more detail in messages." };
        var policyFile = new Option<string>("-f") { Description = "The policy.", DefaultValueFactory = _ => PolicyCheck.DefaultPolicyPath, HelpName = "config" };
        var foreground = new Option<bool>("-F") { Description = "Foreground: alerts on stderr (unless -l) instead of syslog." };
        var logDirectory = new Option<string?>("-l") { Description = "Append alerts to DIR/bsmtrace.log (or the policy's logfile).", HelpName = "logdir" };
        var checkOnly = new Option<bool>("-n") { Description = "Load the policy, print its errors, and exit: 0 when it loads, 1 when it does not." };
        var pidFile = new Option<string?>("-p") { Description = "Write the process id to this file, locked while bsmtrace runs (a stale one is taken over) and removed at exit.", HelpName = "pidfile" };
        var version = new Option<bool>("-v", "--version") { Description = "Print the version and exit." };
        var workers = new Option<int>("--workers") { Description = "Matcher workers (default: one fewer than the processors, at least one).", HelpName = "N", CustomParser = WholeNumber };
        var follow = new Option<bool>("--follow") { Description = "Keep reading: follow a trail as it grows and across rotations; reopen a FIFO when its writer goes." };
        var metricsListen = new Option<string?>("--metrics-listen") { Description = "Serve Prometheus metrics at http://HOST:PORT/metrics (default 127.0.0.1:9464; empty: none).", HelpName = "HOST:PORT" };
        var maxInstances = new Option<int>("--max-instances") { Description = "Live sequence instances at most; the oldest are evicted past it.", DefaultValueFactory = _ => defaults.MaxInstances, HelpName = "N", CustomParser = WholeNumber };
        var stateDirectory = new Option<string?>("--state-dir") { Description = $"Keep checkpoints here, to read on where the last run stopped (the service's default {BsmTraceOptions.DefaultStateDirectory}; empty: none).", HelpName = "DIR" };
        var user = new Option<string?>("--user") { Description = "Become this user once the audit pipe, pidfile, log and state directories are open; triggers run as it.", HelpName = "NAME" };
        var eventFile = new Option<string?>("--event-file") { Description = "Event table (default /etc/security/audit_event, else the built-in OpenBSM table).", Recursive = true, HelpName = "FILE" };
        var classFile = new Option<string?>("--class-file") { Description = "Class table (default /etc/security/audit_class, else the built-in OpenBSM table).", Recursive = true, HelpName = "FILE" };

        var checkFile = new Argument<string>("FILE") { Description = "The policy to check." };
        var check = new Command("check", "Load a policy and report its errors and warnings (unused sets, states that never match, unsafe files).") { checkFile };
        check.SetAction(parse => PolicyCheck.Run(parse.GetValue(checkFile)!, withWarnings: true, parse.GetValue(eventFile), parse.GetValue(classFile), stdout, stderr));

        var root = new RootCommand("bsmtrace: watch BSM audit records for sequences of events that mean trouble.")
        {
            source, rawDump, evidence, debug, policyFile, foreground, logDirectory, checkOnly, pidFile, version, workers, maxInstances, follow, metricsListen, stateDirectory, user, eventFile, classFile,
            PrintCommand.Create(stderr, eventFile, classFile),
            check,
        };
        // -v and --version are one option, with one answer (the framework's own would print another).
        foreach (var builtIn in root.Options.OfType<VersionOption>().ToList())
            root.Options.Remove(builtIn);
        root.SetAction(parse =>
        {
            if (parse.GetValue(version))
            {
                stdout.WriteLine($"bsmtrace {Version} (commit {Commit})");
                return Success;
            }

            if (parse.GetValue(checkOnly))
                return PolicyCheck.Run(parse.GetValue(policyFile)!, withWarnings: false, parse.GetValue(eventFile), parse.GetValue(classFile), stdout, stderr);

            // The command line is the last layer over appsettings.json and the environment.
            var given = new Dictionary<string, string?>(StringComparer.Ordinal);
            void Set<T>(Option<T> option, string key)
            {
                if (parse.GetResult(option) is { Implicit: false })
                    given[$"{BsmTraceOptions.Section}:{key}"] = Convert.ToString(parse.GetValue(option), System.Globalization.CultureInfo.InvariantCulture);
            }

            Set(source, nameof(BsmTraceOptions.Source));
            Set(policyFile, nameof(BsmTraceOptions.Policy));
            Set(logDirectory, nameof(BsmTraceOptions.LogDirectory));
            Set(foreground, nameof(BsmTraceOptions.Foreground));
            Set(evidence, nameof(BsmTraceOptions.Evidence));
            Set(rawDump, nameof(BsmTraceOptions.RawDump));
            Set(debug, nameof(BsmTraceOptions.Debug));
            Set(pidFile, nameof(BsmTraceOptions.PidFile));
            Set(workers, nameof(BsmTraceOptions.Workers));
            Set(maxInstances, nameof(BsmTraceOptions.MaxInstances));
            Set(follow, nameof(BsmTraceOptions.Follow));
            Set(metricsListen, nameof(BsmTraceOptions.MetricsListen));
            Set(stateDirectory, nameof(BsmTraceOptions.StateDirectory));
            Set(user, nameof(BsmTraceOptions.User));
            Set(eventFile, nameof(BsmTraceOptions.EventFile));
            Set(classFile, nameof(BsmTraceOptions.ClassFile));
            return RunCommand.Run(ServiceHost.BuildConfiguration(given), signals, stderr);
        });

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // One wording for every command, and the help of the command that was meant.
            string where = parse.CommandResult.Command is RootCommand ? "bsmtrace" : $"bsmtrace {parse.CommandResult.Command.Name}";
            stderr.WriteLine($"{where}: {Reworded(parse.Errors[0].Message)} (see '{where} --help')");
            return Failure;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException or NotSupportedException or SettingsException)
        {
            stderr.WriteLine($"bsmtrace: {e.Message}");
            return Failure;
        }
#pragma warning disable CA1031 // The last line of defence: whatever else went wrong is one line too, and the detail only with -d.
        catch (Exception e)
#pragma warning restore CA1031
        {
            stderr.WriteLine($"bsmtrace: internal error: {e.Message}");
            if (args.Contains("-d"))
                stderr.WriteLine(e.ToString());
            return Failure;
        }
    }

    /// <summary>"1 file", "2 files": a count with its noun agreeing.</summary>
    internal static string Count(long n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    /// <summary>The parser's "Unrecognized command or argument 'x'." in the words the rest of bsmtrace uses.</summary>
    private static string Reworded(string message)
    {
        var m = System.Text.RegularExpressions.Regex.Match(message, "^Unrecognized command or argument '(.*)'\\.$");
        if (!m.Success)
            return message.TrimEnd('.');
        string token = m.Groups[1].Value;
        return token.StartsWith('-') ? $"unknown option '{token}'" : $"unexpected argument '{token}'";
    }

    /// <summary>An int option's value, or one line naming the flag and what was given when it is not a whole number that fits.</summary>
    private static int WholeNumber(System.CommandLine.Parsing.ArgumentResult result)
    {
        string token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (int.TryParse(token, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int value))
            return value;
        string flag = result.Parent is System.CommandLine.Parsing.OptionResult option ? option.Option.Name : "the value";
        result.AddError($"{flag}: '{token}' is not a whole number (at most {int.MaxValue})");
        return 0;
    }
}
