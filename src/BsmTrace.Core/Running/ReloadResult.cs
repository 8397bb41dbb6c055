namespace BsmTrace.Running;

/// <summary>What became of a policy offered to a run: taken (it applies from the next batch), or refused and why.</summary>
public readonly record struct ReloadResult(bool Accepted, string? Refusal)
{
    public static ReloadResult Taken => new(true, null);

    public static ReloadResult Refused(string reason) => new(false, reason);
}
