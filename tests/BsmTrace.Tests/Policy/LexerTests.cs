using BsmTrace.Policy.Diagnostics;
using BsmTrace.Policy.Syntax;

namespace BsmTrace.Tests.Policy;

public sealed class LexerTests
{
    private static List<Token> Lex(string text, DiagnosticBag? bag = null) =>
        Lexer.Tokenize(text, "t.conf", bag ?? new DiagnosticBag());

    private static string Kinds(string text) =>
        string.Join(" ", Lex(text).Select(t => t.Kind == TokenKind.Word ? $"W({t.Text})" : t.Kind == TokenKind.String ? $"S({t.Text})" : t.Text).SkipLast(1));

    [Fact]
    public void Words_stop_at_blanks_and_punctuation()
    {
        Assert.Equal("W(define) W(set) W($a) < W(auid) > { W(root) , W(2000) ; } ;", Kinds("define set $a <auid> { root, 2000; };"));
    }

    [Fact]
    public void Comments_run_to_the_end_of_the_line_but_not_inside_a_word()
    {
        Assert.Equal("W(a) W(/tmp/x#y) W(b)", Kinds("a # comment ; { \n/tmp/x#y # more\nb"));
    }

    [Fact]
    public void Strings_resolve_escapes_and_fold_newlines_to_a_space()
    {
        Assert.Equal("S(a \"b\" c\\ d e)", Kinds("\"a \\\"b\\\" c\\\\ d\ne\""));
    }

    [Fact]
    public void Braces_inside_a_word_stay_in_it_but_a_closing_brace_of_the_set_does_not()
    {
        Assert.Equal("{ W(^/tmp/.{3}) }", Kinds("{^/tmp/.{3}}"));
        Assert.Equal("{ W(a) , W(b) }", Kinds("{ a, b}"));
    }

    [Fact]
    public void Bang_is_its_own_token_and_a_leading_minus_keeps_a_word_a_word()
    {
        var tokens = Lex("!$x -5 12");
        Assert.Equal(TokenKind.Bang, tokens[0].Kind);
        Assert.False(tokens[2].IsNumber);
        Assert.True(tokens[3].IsNumber);
    }

    [Fact]
    public void Tokens_carry_line_and_column()
    {
        var tokens = Lex("a\n  bb \"c\nd\" e");
        Assert.Equal(new SourceLocation("t.conf", 1, 1), tokens[0].Location);
        Assert.Equal(new SourceLocation("t.conf", 2, 3), tokens[1].Location);
        Assert.Equal(new SourceLocation("t.conf", 2, 6), tokens[2].Location);
        Assert.Equal(new SourceLocation("t.conf", 3, 4), tokens[3].Location);
    }

    [Fact]
    public void Unterminated_string_is_an_error_where_it_opened()
    {
        var bag = new DiagnosticBag();
        Lex("a;\n  \"open\nmore\n", bag);
        var error = Assert.Single(bag.Items);
        Assert.Equal("t.conf:2:3: error: unterminated string: no closing '\"' before the end of the file", error.ToString());
    }
}
