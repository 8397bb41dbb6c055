namespace BsmTrace.Policy.Syntax;

public enum TokenKind
{
    /// <summary>A run of characters other than blanks and punctuation: keywords, names, numbers, paths.</summary>
    Word,
    /// <summary>A double-quoted string, escapes resolved.</summary>
    String,
    OpenBrace,
    CloseBrace,
    LessThan,
    GreaterThan,
    Semicolon,
    Comma,
    /// <summary><c>!</c>, a synonym of <c>not</c>.</summary>
    Bang,
    EndOfFile,
}
