namespace BsmTrace.Policy;

/// <summary>A state's status rule: the return token's error byte is 0 (success), non-zero (failure), or either.</summary>
public enum StatusRule
{
    Any,
    Success,
    Failure,
    /// <summary>A state that asked for both success and failure: it can never match.</summary>
    Never,
}

public static class StatusRules
{
    public static bool Matches(this StatusRule rule, byte status) => rule switch
    {
        StatusRule.Any => true,
        StatusRule.Success => status == 0,
        StatusRule.Failure => status != 0,
        _ => false,
    };
}
