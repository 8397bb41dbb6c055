namespace BsmTrace.Tests.Support;

/// <summary>
/// How the tests start bsmtrace: the build beside them (<c>dotnet bsmtrace.dll</c>), or, when
/// <c>BSMTRACE_EXECUTABLE</c> names one, an installed program such as the native build
/// deploy/install.sh makes, so that the same tests pin what administrators run.
/// </summary>
public static class BsmTraceExecutable
{
    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    /// <summary>The installed program the tests run instead of the build beside them, if any.</summary>
    public static string? Installed =>
        Environment.GetEnvironmentVariable("BSMTRACE_EXECUTABLE") is { Length: > 0 } path ? Path.GetFullPath(path) : null;

    /// <summary>The program to execute and the arguments that come before bsmtrace's own.</summary>
    public static IReadOnlyList<string> Command =>
        Installed is { } program ? [program] : [Dotnet, Path.Combine(AppContext.BaseDirectory, "bsmtrace.dll")];

    /// <summary>The command as one line for sh(1), each word quoted.</summary>
    public static string ShellWords => string.Join(' ', Command.Select(w => "'" + w.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
}
