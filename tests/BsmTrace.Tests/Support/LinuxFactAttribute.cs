namespace BsmTrace.Tests.Support;

/// <summary>A fact about behaviour only Linux has, skipped elsewhere, saying so.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
            Skip = "Linux only";
    }
}
