using BsmTrace.Policy.Diagnostics;

namespace BsmTrace.Policy.Binding;

/// <summary>Loads a policy file and everything it includes: parse, resolve, check, compile.</summary>
public static class PolicyLoader
{
    public static PolicyLoadResult Load(string path, PolicyEnvironment environment, int errorLimit = DiagnosticBag.DefaultErrorLimit)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(environment);
        var binder = new Binder(environment, new DiagnosticBag(errorLimit));
        return binder.BindPolicy(path, text: null);
    }

    /// <summary>Loads policy text held in memory, as if read from <paramref name="path"/> (includes resolve relative to it).</summary>
    public static PolicyLoadResult LoadText(string text, string path, PolicyEnvironment environment, int errorLimit = DiagnosticBag.DefaultErrorLimit)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(environment);
        var binder = new Binder(environment, new DiagnosticBag(errorLimit));
        return binder.BindPolicy(path, text);
    }
}
