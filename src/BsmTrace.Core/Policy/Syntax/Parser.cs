using BsmTrace.Policy.Diagnostics;

namespace BsmTrace.Policy.Syntax;

/// <summary>
/// A recursive-descent parser for one policy file. It builds the syntax tree
/// and reports what was expected and what was found; after an error it skips
/// to the end of the statement (the next ';' at the same brace depth) and goes
/// on, so that one run reports every error in the file.
/// </summary>
public sealed class Parser
{
    public static readonly IReadOnlyList<string> TopLevelKeywords = ["define", "sequence", "include", "logfile", "log-channel"];
    public static readonly IReadOnlyList<string> SequenceKeywords = ["subject", "timeout", "timeout-window", "timeout-prob", "priority", "serial", "scope", "zone", "log", "state"];
    public static readonly IReadOnlyList<string> StateKeywords = ["event", "status", "object", "multiplier", "trigger"];

    private readonly List<Token> _tokens;
    private readonly string _file;
    private readonly DiagnosticBag _diagnostics;
    private readonly bool _endsInsideString;
    private int _index;

    private Parser(List<Token> tokens, bool endsInsideString, string file, DiagnosticBag diagnostics)
    {
        _tokens = tokens;
        _endsInsideString = endsInsideString;
        _file = file;
        _diagnostics = diagnostics;
    }

    /// <summary>Parses the text of one file; errors go to <paramref name="diagnostics"/>.</summary>
    public static PolicyFileSyntax Parse(string text, string file, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        var tokens = Lexer.Tokenize(text, file, diagnostics, out bool endsInsideString);
        var parser = new Parser(tokens, endsInsideString, file, diagnostics);
        return parser.ParseFile();
    }

    /// <summary>Thrown inside the parser to abandon a statement after its error was reported.</summary>
    private sealed class SyntaxError : Exception;

    private Token Current => _tokens[_index];

    private Token Peek(int ahead = 1) => _tokens[Math.Min(_index + ahead, _tokens.Count - 1)];

    private Token Advance()
    {
        var token = Current;
        if (_index < _tokens.Count - 1)
            _index++;
        return token;
    }

    private PolicyFileSyntax ParseFile()
    {
        var items = new List<TopLevelSyntax>();
        while (Current.Kind != TokenKind.EndOfFile && !_diagnostics.IsFull)
        {
            int start = _index;
            try
            {
                items.Add(ParseTopLevel());
            }
            catch (SyntaxError)
            {
                SkipStatement();
            }

            if (_index == start)
                Advance(); // never loop on a token nothing consumed
        }

        return new PolicyFileSyntax(_file, items);
    }

    private TopLevelSyntax ParseTopLevel()
    {
        var first = Current;
        if (first.Kind == TokenKind.Word)
        {
            switch (first.Text)
            {
                case "define": return ParseDefine();
                case "sequence": return ParseSequence();
                case "include": return ParseInclude();
                case "logfile": return ParseLogFile();
                case "log-channel": return ParseLogChannel();
            }
        }

        throw Expected("'define', 'sequence', 'include', 'logfile' or 'log-channel'", first, TopLevelKeywords);
    }

    private DefineSetSyntax ParseDefine()
    {
        var at = Advance().Location;
        ExpectWord("set");
        var name = ExpectVariable("a set name such as $admins");
        var body = ParseSetBody();
        Expect(TokenKind.Semicolon, "';' after the set's '}'");
        return new DefineSetSyntax(at, name.Text, body);
    }

    private IncludeSyntax ParseInclude()
    {
        var at = Advance().Location;
        var path = ExpectValue("a file name in quotes");
        Expect(TokenKind.Semicolon, "';' after the file name");
        return new IncludeSyntax(at, path.Text);
    }

    private LogFileSyntax ParseLogFile()
    {
        var at = Advance().Location;
        var name = ExpectValue("a log file name in quotes");
        Expect(TokenKind.Semicolon, "';' after the log file name");
        return new LogFileSyntax(at, name.Text);
    }

    private LogChannelSyntax ParseLogChannel()
    {
        var at = Advance().Location;
        var name = ExpectVariable("a channel name such as $alerts");
        var type = Expect(TokenKind.Word, "a channel type (stderr, syslog, file, bsm or json)");
        Expect(TokenKind.OpenBrace, "'{'");
        var options = new List<ChannelOptionSyntax>();
        while (Current.Kind is not (TokenKind.CloseBrace or TokenKind.EndOfFile))
        {
            if (Current.Kind is TokenKind.Comma or TokenKind.Semicolon)
            {
                Advance();
                continue;
            }

            var option = Expect(TokenKind.Word, "a channel option such as path or priority");
            var value = ExpectValue($"a value for '{option.Text}'");
            options.Add(new ChannelOptionSyntax(option.Location, option.Text, value.Text));
        }

        Expect(TokenKind.CloseBrace, "'}'");
        Expect(TokenKind.Semicolon, "';' after the channel's '}'");
        return new LogChannelSyntax(at, name.Text, type.Text, type.Location, options);
    }

    private SequenceSyntax ParseSequence()
    {
        var at = Advance().Location;
        var name = Current;
        if (name.Kind is not (TokenKind.Word or TokenKind.String))
            throw Expected("a sequence name", name);
        Advance();
        Expect(TokenKind.OpenBrace, "'{' to open the sequence");

        var options = new List<SequenceOptionSyntax>();
        var states = new List<StateSyntax>();
        bool incomplete = false;
        while (Current.Kind is not (TokenKind.CloseBrace or TokenKind.EndOfFile) && !_diagnostics.IsFull)
        {
            int start = _index;
            try
            {
                if (Current.IsWord("state"))
                    states.Add(ParseState());
                else
                    options.Add(ParseSequenceOption());
            }
            catch (SyntaxError)
            {
                incomplete = true;
                SkipStatement();
            }

            if (_index == start)
                Advance();
        }

        Expect(TokenKind.CloseBrace, $"'}}' to close sequence {name.Text}");
        Expect(TokenKind.Semicolon, "';' after the sequence's '}'");
        return new SequenceSyntax(at, name.Text, options, states, incomplete);
    }

    private SequenceOptionSyntax ParseSequenceOption()
    {
        var keyword = Current;
        if (keyword.Kind != TokenKind.Word || !SequenceKeywords.Contains(keyword.Text))
            throw Expected("a sequence option (subject, timeout, timeout-window, timeout-prob, priority, serial, scope, zone, log) or 'state'", keyword, SequenceKeywords);
        Advance();

        SequenceOptionSyntax option;
        switch (keyword.Text)
        {
            case "subject":
                option = new SubjectOptionSyntax(keyword.Location, ParseSetUse("subject"));
                break;
            case "timeout":
                if (Current.IsWord("none"))
                {
                    Advance();
                    option = new TimeoutOptionSyntax(keyword.Location, null);
                }
                else
                {
                    option = new TimeoutOptionSyntax(keyword.Location, ParseDuration("timeout"));
                }

                break;
            case "timeout-window":
                option = new TimeoutWindowOptionSyntax(keyword.Location, ParseDuration("timeout-window"));
                break;
            case "timeout-prob":
            case "priority":
            case "serial":
            {
                var value = ExpectNumber(keyword.Text);
                option = new NumberOptionSyntax(keyword.Location, keyword.Text, value.Value, value.Location);
                break;
            }

            case "scope":
            case "zone":
            {
                var value = ExpectValue(keyword.Text == "scope" ? "a scope (global, process, session or thread)" : "none, any or a zone name pattern");
                option = new WordOptionSyntax(keyword.Location, keyword.Text, value.Text, value.Kind == TokenKind.String, value.Location);
                break;
            }

            default: // log
            {
                var channels = new List<(string, SourceLocation)>();
                do
                {
                    var channel = ExpectVariable("a log channel name such as $alerts");
                    channels.Add((channel.Text, channel.Location));
                }
                while (Accept(TokenKind.Comma));
                option = new LogOptionSyntax(keyword.Location, channels);
                break;
            }
        }

        Expect(TokenKind.Semicolon, $"';' after the {keyword.Text} option");
        return option;
    }

    private StateSyntax ParseState()
    {
        var at = Advance().Location;
        Expect(TokenKind.OpenBrace, "'{' to open the state");
        var options = new List<StateOptionSyntax>();
        bool incomplete = false;
        while (Current.Kind is not (TokenKind.CloseBrace or TokenKind.EndOfFile) && !_diagnostics.IsFull)
        {
            int start = _index;
            try
            {
                options.Add(ParseStateOption());
            }
            catch (SyntaxError)
            {
                incomplete = true;
                SkipStatement();
            }

            if (_index == start)
                Advance();
        }

        Expect(TokenKind.CloseBrace, "'}' to close the state");
        Expect(TokenKind.Semicolon, "';' after the state's '}'");
        return new StateSyntax(at, options, incomplete);
    }

    private StateOptionSyntax ParseStateOption()
    {
        var keyword = Current;
        if (keyword.Kind != TokenKind.Word || !StateKeywords.Contains(keyword.Text))
            throw Expected("a state option (event, status, object, multiplier or trigger)", keyword, StateKeywords);
        Advance();

        StateOptionSyntax option;
        switch (keyword.Text)
        {
            case "event":
                option = new EventOptionSyntax(keyword.Location, ParseSetUse("event"));
                break;
            case "object":
                option = new ObjectOptionSyntax(keyword.Location, ParseSetUse("object"));
                break;
            case "status":
            {
                var value = Expect(TokenKind.Word, "success, failure or any");
                option = new StatusOptionSyntax(keyword.Location, value.Text, value.Location);
                break;
            }

            case "multiplier":
            {
                var value = Expect(TokenKind.Word, "a number of repetitions");
                option = new MultiplierOptionSyntax(keyword.Location, value.Text, value.Location);
                break;
            }

            default: // trigger
            {
                var value = ExpectValue("a command in quotes");
                option = new TriggerOptionSyntax(keyword.Location, value.Text, value.Location);
                break;
            }
        }

        Expect(TokenKind.Semicolon, $"';' after the {keyword.Text} option");
        return option;
    }

    private SetUseSyntax ParseSetUse(string context)
    {
        var at = Current.Location;
        bool negated = false;
        if (Current.Kind == TokenKind.Bang || Current.IsWord("not"))
        {
            Advance();
            negated = true;
        }

        if (Current.IsWord("any"))
        {
            Advance();
            return new SetUseSyntax(at, negated, IsAny: true, null, null);
        }

        if (Current.IsVariable)
            return new SetUseSyntax(at, negated, false, Advance().Text, null);

        if (Current.Kind == TokenKind.LessThan)
            return new SetUseSyntax(at, negated, false, null, ParseSetBody());

        throw Expected($"'any', a set name such as $users, or an anonymous set such as <TYPE> {{ … }} after '{context}'", Current);
    }

    private SetBodySyntax ParseSetBody()
    {
        var at = Expect(TokenKind.LessThan, "'<' before the set's type").Location;
        var type = Expect(TokenKind.Word, "a set type (auid, euid, ruid, egid, rgid, auditevent, auditclass, path, pcre or logchannel)");
        Expect(TokenKind.GreaterThan, "'>' after the set's type");
        Expect(TokenKind.OpenBrace, "'{' to open the set's items");

        var items = new List<SetItemSyntax>();
        while (Current.Kind is not (TokenKind.CloseBrace or TokenKind.EndOfFile))
        {
            var token = Current;
            if (token.Kind is TokenKind.Comma or TokenKind.Semicolon)
            {
                Advance();
                continue;
            }

            if (token.IsWord("set") && Peek().IsVariable)
            {
                Advance();
                var reference = Advance();
                items.Add(new SetItemSyntax(reference.Location, reference.Text, false, IsSetReference: true));
            }
            else if (token.Kind is TokenKind.Word or TokenKind.String)
            {
                Advance();
                items.Add(new SetItemSyntax(token.Location, token.Text, token.Kind == TokenKind.String, false));
            }
            else
            {
                throw Expected("a set item, ',' or '}'", token);
            }
        }

        Expect(TokenKind.CloseBrace, "'}' to close the set");
        return new SetBodySyntax(at, type.Text, type.Location, items);
    }

    private DurationSyntax ParseDuration(string option)
    {
        var amount = ExpectNumber(option);
        var unit = Expect(TokenKind.Word, "a unit (seconds, minutes, hours, days or weeks)");
        return new DurationSyntax(amount.Location, amount.Value, unit.Text, unit.Location);
    }

    private (long Value, SourceLocation Location) ExpectNumber(string option)
    {
        var token = Current;
        if (!token.IsNumber)
            throw Expected($"a number after '{option}'", token);
        Advance();
        if (!long.TryParse(token.Text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long value) || value > int.MaxValue)
        {
            _diagnostics.Error(token.Location, $"the number {token.Text} is too large (at most {int.MaxValue})");
            throw new SyntaxError();
        }

        return (value, token.Location);
    }

    private bool Accept(TokenKind kind)
    {
        if (Current.Kind != kind)
            return false;
        Advance();
        return true;
    }

    private Token Expect(TokenKind kind, string what)
    {
        if (Current.Kind != kind)
            throw Expected(what, Current);
        return Advance();
    }

    private void ExpectWord(string word)
    {
        if (!Current.IsWord(word))
            throw Expected($"'{word}'", Current);
        Advance();
    }

    private Token ExpectVariable(string what)
    {
        if (!Current.IsVariable)
            throw Expected(what, Current);
        return Advance();
    }

    /// <summary>A word or a quoted string: file names, zone patterns, commands.</summary>
    private Token ExpectValue(string what)
    {
        if (Current.Kind is not (TokenKind.Word or TokenKind.String))
            throw Expected(what, Current);
        return Advance();
    }

    private SyntaxError Expected(string what, Token found, IReadOnlyList<string>? keywords = null)
    {
        string hint = keywords is not null && found.Kind == TokenKind.Word && NameSuggester.Nearest(found.Text, keywords) is { } near
            ? $" (did you mean '{near}'?)"
            : "";
        // After a string that ran to the end of the file, what is missing at the end was already explained.
        if (!(found.Kind == TokenKind.EndOfFile && _endsInsideString))
            _diagnostics.Error(found.Location, $"expected {what}, found {found.Describe()}{hint}");
        return new SyntaxError();
    }

    /// <summary>Skips the rest of a broken statement: up to and past the next ';' at this brace depth, or up to a '}' that closes an enclosing block.</summary>
    private void SkipStatement()
    {
        int depth = 0;
        while (Current.Kind != TokenKind.EndOfFile)
        {
            switch (Current.Kind)
            {
                case TokenKind.OpenBrace:
                    depth++;
                    break;
                case TokenKind.CloseBrace:
                    if (depth == 0)
                        return;
                    depth--;
                    break;
                case TokenKind.Semicolon when depth == 0:
                    Advance();
                    return;
            }

            Advance();
        }
    }
}
