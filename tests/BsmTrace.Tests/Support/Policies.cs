using BsmTrace.Policy;
using BsmTrace.Policy.Binding;

namespace BsmTrace.Tests.Support;

/// <summary>Loads policy text as if from a file named test.conf, against the built-in tables.</summary>
public static class Policies
{
    public const string File = "test.conf";

    /// <summary>An exec and then an open by the same user, with no time limit: an instance that waits, for the service's tests.</summary>
    public const string Pair = """
        sequence pair {
            subject any;
            state { event <auditevent> { AUE_EXECVE; }; status any; };
            state { event <auditevent> { AUE_OPEN_R; }; status any; };
        };
        """;

    public static PolicyLoadResult Load(string text, PolicyEnvironment? environment = null) =>
        PolicyLoader.LoadText(text, File, environment ?? PolicyEnvironment.Builtin());

    /// <summary>Loads a policy that must load, and returns it.</summary>
    public static CompiledPolicy Compile(string text)
    {
        var result = Load(text);
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        return result.Policy!;
    }

    /// <summary>The error lines of a policy that must not load.</summary>
    public static string[] Errors(string text)
    {
        var result = Load(text);
        Assert.False(result.Succeeded, "the policy loaded but should not have");
        return result.Errors.Select(e => e.ToString()).ToArray();
    }

    /// <summary>The one error of a policy that must not load.</summary>
    public static string Error(string text)
    {
        var errors = Errors(text);
        Assert.True(errors.Length == 1, "expected one error, got:\n" + string.Join("\n", errors));
        return errors[0];
    }

    /// <summary>A sequence around one state, for tests of state options.</summary>
    public static string WithState(string state, string sets = "") =>
        $"{sets}\nsequence s {{\n\tsubject any;\n\tstate {{ {state} }};\n}};\n";
}
