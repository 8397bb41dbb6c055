using BsmTrace.Tests.Support;

namespace BsmTrace.Tests.Deploy;

/// <summary>The man pages: clean under mandoc's lint, and naming every option the command has.</summary>
public sealed class ManPageTests
{
    private static string Page(string name) => Path.Combine(SharedData.RepositoryRoot, "docs", "man", name);

    private static bool HasMandoc => Command.IsInstalled("mandoc");

    [SkippableTheory]
    [InlineData("bsmtrace.8")]
    [InlineData("bsmtrace.conf.5")]
    public async Task Is_clean_under_mandoc_lint(string page)
    {
        Skip.IfNot(HasMandoc, "mandoc is not installed (apt-get install mandoc; .ci/run does)");
        var (code, output) = await Command.RunAsync("mandoc", ["-T", "lint", "-W", "warning", Page(page)]);

        Assert.True(code == 0 && output.Length == 0, output);
    }

    [Fact]
    public async Task The_command_page_describes_every_option_of_the_command()
    {
        string page = await File.ReadAllTextAsync(Page("bsmtrace.8"));
        var help = await BsmTraceProcess.RunAsync(["--help"]);
        var options = System.Text.RegularExpressions.Regex.Matches(help.StandardOutput, @"^\s+(--?[a-zA-Z][\w-]*)", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value)
            .Where(o => o is not "-?" and not "-h" and not "--help")
            .Distinct()
            .ToList();

        Assert.NotEmpty(options);
        // mdoc writes an option as ".It Fl x" (or "Fl -name" for a long one).
        Assert.All(options, o => Assert.Contains($"Fl {o[1..]}", page, StringComparison.Ordinal));
    }
}
