using System.CommandLine;
using BsmTrace.Bsm;
using BsmTrace.Events;
using BsmTrace.Printing;
using BsmTrace.Unix;

namespace BsmTrace.Service.Cli;

/// <summary>
/// <c>bsmtrace print [-n] [-r] [-s] [-l] [-x] [-d DEL] [--json] TRAIL...</c>:
/// shows trails the way OpenBSM's praudit(1) does, byte for byte, or as JSON
/// lines. A damaged trail prints what it can, reports each piece of damage on
/// stderr with its byte offset, and the command exits 1.
/// </summary>
internal static class PrintCommand
{
    public static Command Create(TextWriter stderr, Option<string?> eventFile, Option<string?> classFile)
    {
        var trails = new Argument<string[]>("TRAIL")
        {
            Description = "Trail files to print; '-' or none reads standard input.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var numeric = new Option<bool>("-n") { Description = "Leave user and group ids as numbers." };
        var raw = new Option<bool>("-r") { Description = "Raw: numbers for token types, events, times and ids." };
        var shortEvents = new Option<bool>("-s") { Description = "Events by their AUE_ names instead of their descriptions." };
        var oneLine = new Option<bool>("-l") { Description = "One line per record." };
        var xml = new Option<bool>("-x") { Description = "XML, as praudit -x." };
        var delimiter = new Option<string>("-d") { Description = "Field delimiter.", DefaultValueFactory = _ => ",", HelpName = "DEL" };
        var json = new Option<bool>("--json") { Description = "One JSON object per record, every token with named fields." };

        var command = new Command("print", "Print BSM trails as praudit(1) does, or as JSON lines.")
        {
            trails, numeric, raw, shortEvents, oneLine, xml, delimiter, json,
        };

        command.Validators.Add(result =>
        {
            // An unknown option would otherwise be taken for a file name; './-x' still names a file called -x.
            foreach (var t in result.GetValue(trails) ?? [])
            {
                if (t.Length > 1 && t[0] == '-')
                    result.AddError($"unknown option '{t}'");
            }

            if (result.GetValue(raw) && result.GetValue(shortEvents))
                result.AddError("-r and -s cannot be used together");
            if (result.GetValue(json) && (result.GetValue(xml) || result.GetValue(oneLine)))
                result.AddError("--json cannot be combined with -x or -l");
        });

        command.SetAction(parse =>
        {
            var options = new PrintOptions
            {
                Raw = parse.GetValue(raw),
                NoResolve = parse.GetValue(numeric),
                ShortEvents = parse.GetValue(shortEvents),
                OneLine = parse.GetValue(oneLine),
                Xml = parse.GetValue(xml),
                Json = parse.GetValue(json),
                Delimiter = parse.GetValue(delimiter) ?? ",",
            };
            var events = LoadEvents(parse.GetValue(eventFile), parse.GetValue(classFile));
            var files = parse.GetValue(trails) is { Length: > 0 } given ? given : ["-"];
            return Print(files, options, events, stderr);
        });

        return command;
    }

    private static AuditEventTable LoadEvents(string? eventFile, string? classFile)
    {
        if (eventFile is null)
            return AuditEventTable.LoadDefault(classPath: classFile);
        if (!File.Exists(eventFile))
            throw new IOException($"{eventFile}: no such event table");
        return AuditEventTable.Load(eventFile, AuditClassTable.LoadDefault(classFile));
    }

    private static int Print(string[] files, PrintOptions options, AuditEventTable events, TextWriter stderr)
    {
        var printer = new TrailPrinter(options, events, UserDatabase.Shared, TimeZoneInfo.Local);
        using var stdout = Console.OpenStandardOutput();
        using var output = new BufferedStream(stdout, 64 * 1024);
        int status = CommandLine.Success;

        printer.WriteStart(output);
        foreach (var file in files)
        {
            string name = file == "-" ? "stdin" : file;
            Stream input;
            if (Directory.Exists(file))
            {
                output.Flush();
                stderr.WriteLine($"bsmtrace: {name}: is a directory, not a trail");
                status = CommandLine.Failure;
                continue;
            }

            try
            {
                input = file == "-" ? Console.OpenStandardInput() : new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                output.Flush();
                stderr.WriteLine($"bsmtrace: {name}: cannot open: {Describe(e)}");
                status = CommandLine.Failure;
                continue;
            }

            using (input)
            {
                long damage = printer.Print(input, output, d =>
                {
                    output.Flush();
                    stderr.WriteLine($"bsmtrace: {name}: {d}");
                });
                if (damage > 0)
                    status = CommandLine.Failure;
            }
        }

        printer.WriteEnd(output);
        return status;
    }

    private static string Describe(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "no such file or directory",
        UnauthorizedAccessException => "permission denied",
        _ => e.Message,
    };
}
