using System.Text;
using BsmTrace.Policy.Diagnostics;

namespace BsmTrace.Policy.Triggers;

/// <summary>
/// A trigger command split into an argv template when the policy loads. When
/// it runs, each variable is substituted inside its own argument, so a path
/// holding spaces, quotes, ';' or '$(...)' stays one argument, and no shell
/// ever sees it.
/// </summary>
/// <remarks>
/// Splitting follows the shell's quoting rules, written by hand because no
/// package does this small part alone: blanks separate words; '…' is literal;
/// "…" keeps blanks and allows \" \\ \$; a backslash outside quotes escapes
/// the next character. Variables are <c>$name</c> or <c>${name}</c>.
/// </remarks>
public sealed class TriggerTemplate
{
    private static readonly Dictionary<string, TriggerVariable> Variables = new(StringComparer.Ordinal)
    {
        ["subject"] = TriggerVariable.Subject,
        ["esubject"] = TriggerVariable.EffectiveSubject,
        ["object"] = TriggerVariable.Object,
    };

    private TriggerTemplate(string command, SourceLocation location, IReadOnlyList<IReadOnlyList<TriggerSegment>> arguments)
    {
        Command = command;
        Location = location;
        Arguments = arguments;
    }

    /// <summary>The command as the policy wrote it.</summary>
    public string Command { get; }

    public SourceLocation Location { get; }

    /// <summary>
    /// The file the program is run from: argv[0] when it holds a '/', else the first match in
    /// the search path when the policy was loaded (null when none was found). Resolved once, so
    /// that what was examined when the policy loaded is what runs.
    /// </summary>
    public string? ProgramPath { get; private init; }

    /// <summary>The program as the policy wrote it (argv[0]).</summary>
    public string ProgramName => string.Concat(Arguments[0].Select(s => s.Literal));

    public TriggerTemplate WithProgramPath(string? path) => new(Command, Location, Arguments) { ProgramPath = path };

    /// <summary>argv: the program first.</summary>
    public IReadOnlyList<IReadOnlyList<TriggerSegment>> Arguments { get; }

    public bool Uses(TriggerVariable variable) => Arguments.Any(a => a.Any(s => s.Variable == variable));

    /// <summary>
    /// The argv for one run, each variable replaced by its value within its argument, as bytes:
    /// the policy's text in UTF-8, a variable's value exactly as given.
    /// </summary>
    public byte[][] Expand(Func<TriggerVariable, byte[]> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var argv = new byte[Arguments.Count][];
        var bytes = new List<byte>();
        for (int i = 0; i < argv.Length; i++)
        {
            bytes.Clear();
            foreach (var segment in Arguments[i])
                bytes.AddRange(segment.Variable is { } v ? value(v) : Encoding.UTF8.GetBytes(segment.Literal!));
            argv[i] = [.. bytes];
        }

        return argv;
    }

    /// <summary>Splits a command; returns null and the reasons when it is empty, has an open quote, or names an unknown variable.</summary>
    public static TriggerTemplate? Parse(string command, SourceLocation location, out List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(command);
        errors = [];
        var arguments = new List<IReadOnlyList<TriggerSegment>>();
        var segments = new List<TriggerSegment>();
        var literal = new StringBuilder();
        bool inWord = false;
        char quote = '\0';

        void FlushLiteral()
        {
            if (literal.Length > 0)
            {
                segments.Add(new TriggerSegment(literal.ToString(), null));
                literal.Clear();
            }
        }

        void EndWord()
        {
            FlushLiteral();
            if (inWord)
                arguments.Add(segments.ToArray());
            segments.Clear();
            inWord = false;
        }

        for (int i = 0; i < command.Length; i++)
        {
            char c = command[i];
            if (quote == '\'')
            {
                if (c == '\'')
                    quote = '\0';
                else
                    literal.Append(c);
                continue;
            }

            if (c == '\\' && i + 1 < command.Length && (quote == '\0' || command[i + 1] is '"' or '\\' or '$'))
            {
                literal.Append(command[++i]);
                inWord = true;
                continue;
            }

            if (c == '$' && TryReadVariable(command, ref i, out var name))
            {
                inWord = true;
                if (Variables.TryGetValue(name, out var variable))
                {
                    FlushLiteral();
                    segments.Add(new TriggerSegment(null, variable));
                }
                else
                {
                    var near = NameSuggester.Nearest(name, Variables.Keys);
                    errors.Add($"unknown trigger variable '${name}'; a trigger may use $subject, $esubject and $object" +
                        (near is null ? "" : $" (did you mean '${near}'?)"));
                }

                continue;
            }

            if (quote == '"')
            {
                if (c == '"')
                    quote = '\0';
                else
                    literal.Append(c);
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                EndWord();
                continue;
            }

            inWord = true;
            if (c is '"' or '\'')
                quote = c;
            else
                literal.Append(c);
        }

        if (quote != '\0')
            errors.Add($"the trigger command has an unclosed {quote} quote");
        EndWord();
        if (arguments.Count == 0)
            errors.Add("the trigger command is empty");
        else if (arguments[0].Any(s => s.Variable is not null))
            errors.Add("the program a trigger runs must be written out, not taken from a variable");
        else if (arguments[0].Count == 0)
            errors.Add("the program a trigger runs is an empty name");

        return errors.Count == 0 ? new TriggerTemplate(command, location, arguments) : null;
    }

    private static bool TryReadVariable(string text, ref int i, out string name)
    {
        name = "";
        int start = i + 1;
        if (start < text.Length && text[start] == '{')
        {
            int close = text.IndexOf('}', start);
            if (close < 0)
                return false;
            name = text[(start + 1)..close];
            i = close;
            return true;
        }

        int end = start;
        while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] == '_'))
            end++;
        if (end == start || char.IsAsciiDigit(text[start]))
            return false; // a lone '$' or '$1' is literal text
        name = text[start..end];
        i = end - 1;
        return true;
    }
}
