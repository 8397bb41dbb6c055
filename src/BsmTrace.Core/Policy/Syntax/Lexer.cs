using System.Text;
using BsmTrace.Policy.Diagnostics;

namespace BsmTrace.Policy.Syntax;

/// <summary>
/// Splits a policy file into tokens (the spec's lexical rules): '#' comments,
/// words, double-quoted strings with backslash escapes, and the punctuation
/// <c>{ } &lt; &gt; ; ,</c> and <c>!</c>.
/// </summary>
/// <remarks>
/// Braces: a '{' that starts a word, or a '}' that would close no '{' of the
/// same word, is punctuation; inside a word they are kept, so that an unquoted
/// pattern such as <c>^/tmp/.{3}</c> stays one word while <c>{ a, b}</c> still
/// closes its set.
/// </remarks>
public sealed class Lexer
{
    private readonly string _text;
    private readonly string _file;
    private readonly DiagnosticBag _diagnostics;
    private int _position;
    private int _line = 1;
    private int _lineStart;

    public Lexer(string text, string file, DiagnosticBag diagnostics)
    {
        _text = text;
        _file = file;
        _diagnostics = diagnostics;
    }

    /// <summary>Whether a string ran to the end of the file: whatever the parser then misses at the end is a consequence, not news.</summary>
    public bool EndsInsideString { get; private set; }

    public static List<Token> Tokenize(string text, string file, DiagnosticBag diagnostics) =>
        Tokenize(text, file, diagnostics, out _);

    public static List<Token> Tokenize(string text, string file, DiagnosticBag diagnostics, out bool endsInsideString)
    {
        var lexer = new Lexer(text, file, diagnostics);
        // About one token per five characters of policy: sized once rather than grown for a large one.
        var tokens = new List<Token>(text.Length / 5 + 16);
        Token token;
        do
        {
            token = lexer.Next();
            tokens.Add(token);
        }
        while (token.Kind != TokenKind.EndOfFile);
        endsInsideString = lexer.EndsInsideString;
        return tokens;
    }

    private SourceLocation Here => new(_file, _line, _position - _lineStart + 1);

    public Token Next()
    {
        SkipBlanksAndComments();
        var at = Here;
        if (_position >= _text.Length)
            return new Token(TokenKind.EndOfFile, "", at);

        char c = _text[_position];
        TokenKind? punctuation = c switch
        {
            '{' => TokenKind.OpenBrace,
            '}' => TokenKind.CloseBrace,
            '<' => TokenKind.LessThan,
            '>' => TokenKind.GreaterThan,
            ';' => TokenKind.Semicolon,
            ',' => TokenKind.Comma,
            '!' => TokenKind.Bang,
            _ => null,
        };
        if (punctuation is { } kind)
        {
            _position++;
            return new Token(kind, c.ToString(), at);
        }

        return c == '"' ? ReadString(at) : ReadWord(at);
    }

    private void SkipBlanksAndComments()
    {
        while (_position < _text.Length)
        {
            char c = _text[_position];
            if (c == '\n')
            {
                NewLine();
            }
            else if (c == '#')
            {
                while (_position < _text.Length && _text[_position] != '\n')
                    _position++;
            }
            else if (char.IsWhiteSpace(c))
            {
                _position++;
            }
            else
            {
                return;
            }
        }
    }

    private void NewLine()
    {
        _position++;
        _line++;
        _lineStart = _position;
    }

    private Token ReadWord(SourceLocation at)
    {
        int start = _position;
        int braces = 0;
        while (_position < _text.Length)
        {
            char c = _text[_position];
            if (char.IsWhiteSpace(c) || c is ';' or ',' or '<' or '>' or '"')
                break;
            if (c == '{')
            {
                braces++;
            }
            else if (c == '}')
            {
                if (braces == 0)
                    break;
                braces--;
            }

            _position++;
        }

        return new Token(TokenKind.Word, _text[start.._position], at);
    }

    private Token ReadString(SourceLocation at)
    {
        _position++; // the opening quote
        var text = new StringBuilder();
        while (_position < _text.Length)
        {
            char c = _text[_position];
            if (c == '"')
            {
                _position++;
                return new Token(TokenKind.String, text.ToString(), at);
            }

            if (c == '\\' && _position + 1 < _text.Length)
            {
                _position++;
                c = _text[_position];
            }

            if (c == '\n')
            {
                // A string may run over lines; each newline in it reads as one space.
                NewLine();
                text.Append(' ');
                continue;
            }

            text.Append(c);
            _position++;
        }

        _diagnostics.Error(at, "unterminated string: no closing '\"' before the end of the file");
        EndsInsideString = true;
        return new Token(TokenKind.String, text.ToString(), at);
    }
}
