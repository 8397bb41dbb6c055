using BsmTrace.Policy.Diagnostics;
using BsmTrace.Policy.Triggers;

namespace BsmTrace.Tests.Policy;

public sealed class TriggerTemplateTests
{
    private static readonly SourceLocation At = new("t.conf", 1, 1);

    private static string[] Expand(string command, string subject = "alice", string obj = "/x")
    {
        var template = TriggerTemplate.Parse(command, At, out var errors);
        Assert.True(template is not null, string.Join("; ", errors));
        var utf8 = System.Text.Encoding.UTF8;
        return template.Expand(v => utf8.GetBytes(v switch { TriggerVariable.Subject => subject, TriggerVariable.EffectiveSubject => "root", _ => obj }))
            .Select(a => utf8.GetString(a)).ToArray();
    }

    [Theory]
    [InlineData("a b; rm -rf /")]
    [InlineData("$(reboot)")]
    [InlineData("`id`")]
    [InlineData("--help")]
    [InlineData("line\nbreak")]
    [InlineData("'quoted' \"too\"")]
    public void A_hostile_object_stays_one_argument(string hostile)
    {
        Assert.Equal(["/bin/echo", "--", hostile], Expand("/bin/echo -- $object", obj: hostile));
    }

    [Fact]
    public void Variables_substitute_inside_their_word()
    {
        Assert.Equal(["/bin/x", "user=alice", "as root", "/x"], Expand("/bin/x user=$subject \"as $esubject\" ${object}"));
    }

    [Fact]
    public void Single_quotes_are_literal()
    {
        Assert.Equal(["/bin/x", "$object and $nothing"], Expand("/bin/x '$object and $nothing'"));
    }

    [Theory]
    [InlineData("", "the trigger command is empty")]
    [InlineData("/bin/x 'open", "the trigger command has an unclosed ' quote")]
    [InlineData("$object --run", "the program a trigger runs must be written out, not taken from a variable")]
    [InlineData("/bin/x $objct", "unknown trigger variable '$objct'; a trigger may use $subject, $esubject and $object (did you mean '$object'?)")]
    public void Bad_commands_are_refused_with_a_reason(string command, string reason)
    {
        Assert.Null(TriggerTemplate.Parse(command, At, out var errors));
        Assert.Contains(reason, errors);
    }

    [Fact]
    public void A_dollar_without_a_name_is_literal()
    {
        Assert.Equal(["/bin/x", "cost:", "$5", "$"], Expand("/bin/x cost: $5 $"));
    }
}
