using BsmTrace.Policy.Diagnostics;

namespace BsmTrace.Policy.Syntax;

/// <summary>One token of a policy file, with where it starts.</summary>
public readonly record struct Token(TokenKind Kind, string Text, SourceLocation Location)
{
    public bool IsWord(string keyword) => Kind == TokenKind.Word && string.Equals(Text, keyword, StringComparison.Ordinal);

    /// <summary>A word made only of decimal digits (a leading '-' makes a word a plain string).</summary>
    public bool IsNumber => Kind == TokenKind.Word && Text.Length > 0 && Text.All(char.IsAsciiDigit);

    /// <summary>A <c>$NAME</c> word: a reference to a set or a log channel.</summary>
    public bool IsVariable => Kind == TokenKind.Word && Text.Length > 1 && Text[0] == '$';

    /// <summary>How the token reads in an error message.</summary>
    public string Describe() => Kind switch
    {
        TokenKind.EndOfFile => "the end of the file",
        TokenKind.String => $"the string \"{Text}\"",
        TokenKind.Word => $"'{Text}'",
        _ => $"'{Text}'",
    };
}
