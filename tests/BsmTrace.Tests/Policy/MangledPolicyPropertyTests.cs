using System.Text.RegularExpressions;
using BsmTrace.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace BsmTrace.Tests.Policy;

/// <summary>
/// Policies mangled at random (characters deleted, punctuation and keywords
/// spliced in, text cut short or repeated): loading never throws and never
/// hangs, and a policy that does not load says where, as FILE:LINE:COLUMN.
/// </summary>
public sealed partial class MangledPolicyPropertyTests
{
    private static readonly string Policy = File.ReadAllText(Path.Combine(SharedData.RepositoryRoot, "bsmtrace.conf"));

    private static readonly string[] Splices =
        ["{", "}", ";", ",", "<", ">", "\"", "!", "$", "not", "state", "sequence", "define set", "include \"x\"", "\\", "#", "\n", "-1", "99999999999", "<pcre> { \"(\" }"];

    [GeneratedRegex(@"^test\.conf:[1-9][0-9]*:[1-9][0-9]*: (error|warning): \S.*$")]
    private static partial Regex Located();

    private static Gen<string> Mangle() =>
        from position in Gen.Choose(0, Policy.Length - 1)
        from length in Gen.Choose(1, 40)
        from kind in Gen.Choose(0, 3)
        from splice in Gen.Elements(Splices)
        select kind switch
        {
            0 => Policy.Remove(position, Math.Min(length, Policy.Length - position)),
            1 => Policy.Insert(position, splice),
            2 => Policy[..position],
            _ => Policy.Insert(position, Policy.Substring(position, Math.Min(length, Policy.Length - position))),
        };

    [Property(MaxTest = 400)]
    public Property A_mangled_policy_loads_or_says_where_it_is_broken() =>
        Prop.ForAll(Mangle().ToArbitrary(), text =>
        {
            var load = Task.Run(() => Policies.Load(text));
            if (!load.Wait(TimeSpan.FromSeconds(20)))
                return false; // a hang
            var result = load.Result;
            return result.Succeeded || (result.Errors.Any() && result.Diagnostics.All(d => Located().IsMatch(d.ToString())));
        });

    [Fact]
    public async Task The_executable_reports_a_mangled_policy_in_one_line_per_error_without_a_stack_trace()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("mangled.conf", Policy.Replace("status success;", "status success", StringComparison.Ordinal).Replace("};", "}", StringComparison.Ordinal));
        var result = await BsmTraceProcess.RunAsync(["-n", "-f", path]);

        Assert.Equal(1, result.ExitCode);
        var lines = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.Matches($@"^{Regex.Escape(path)}:\d+:\d+: error: ", l));
        Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
    }
}
