namespace BsmTrace.Tests.Support;

/// <summary>
/// The reference material in ../shared beside the project: present on the
/// developers' machines and in CI, absent from a user's clone.
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string?> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "BsmTrace.sln")))
            {
                var shared = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared"));
                return Directory.Exists(shared) ? shared : null;
            }
        }

        return null;
    });

    public const string SkipReason = "../shared (the reference trails and praudit output) is absent beside the project";

    public static bool Exists => Root.Value is not null;

    public static string Path_(params string[] parts) =>
        Path.Combine([Root.Value ?? throw new InvalidOperationException(SkipReason), .. parts]);

    public static string Trails => Path_("trails");

    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "BsmTrace.sln")))
                    return dir.FullName;
            }

            throw new InvalidOperationException("BsmTrace.sln not found above the test directory.");
        }
    }
}

/// <summary>A fact that needs ../shared and is skipped, saying why, when it is absent.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute()
    {
        if (!SharedData.Exists)
            Skip = SharedData.SkipReason;
    }
}

/// <summary>A theory that needs ../shared and is skipped, saying why, when it is absent.</summary>
public sealed class SharedDataTheoryAttribute : TheoryAttribute
{
    public SharedDataTheoryAttribute()
    {
        if (!SharedData.Exists)
            Skip = SharedData.SkipReason;
    }
}
