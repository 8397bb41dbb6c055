using BsmTrace.Policy;
using BsmTrace.Policy.Binding;
using BsmTrace.Tests.Support;

namespace BsmTrace.Tests.Policy;

/// <summary>The policies users start from load, with the detections they promise.</summary>
public sealed class ShippedPolicyTests
{
    public static TheoryData<string> SharedPolicies()
    {
        var data = new TheoryData<string>();
        if (!SharedData.Exists)
        {
            data.Add("(absent)");
            return data;
        }

        foreach (var file in Directory.EnumerateFiles(SharedData.Path_(), "*.conf", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(SharedData.Path_(), file));
        return data;
    }

    [SharedDataTheory]
    [MemberData(nameof(SharedPolicies))]
    public void Every_shared_policy_loads_without_errors_or_warnings(string policy)
    {
        var result = PolicyLoader.Load(SharedData.Path_(policy), PolicyEnvironment.Builtin());
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.Empty(result.Warnings);
    }

    [SharedDataFact]
    public void Differential_policy_compiles_to_its_six_detections()
    {
        using var policy = PolicyLoader.Load(SharedData.Path_("differential", "policy.conf"), PolicyEnvironment.Builtin()).Policy!;
        Assert.Equal(["ssh.brute.force", "nobody.creates.outside.webroot", "nobody.recon", "bind.shell", "shadow.read", "jail.untrusted.exec"],
            policy.Sequences.Select(s => s.Name));
        Assert.Equal(6, policy.Sequences[0].States.Count);
        Assert.Equal(604_800, policy.Sequences[0].TimeoutSeconds);
    }

    [Fact]
    public void The_projects_own_policy_loads_clean_with_the_promised_detections()
    {
        var result = PolicyLoader.Load(Path.Combine(SharedData.RepositoryRoot, "bsmtrace.conf"), PolicyEnvironment.Builtin());
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.Empty(result.Warnings);

        using var policy = result.Policy!;
        var byName = policy.Sequences.ToDictionary(s => s.Name);
        Assert.Equal(51, byName["login.brute.force"].States.Count);
        Assert.Equal(604_800, byName["login.brute.force"].TimeoutSeconds);
        Assert.Equal(7, byName["bind.shell"].States.Count);
        Assert.True(byName["nobody.recon"].States[0].Object!.Matches(true, "/usr/bin/id"u8));
        Assert.False(byName["nobody.creates.outside.webroot"].States[0].Object!.Matches(true, "/usr/local/www/data/x"u8));
        Assert.True(byName["exec.from.world.writable"].States[0].Object!.Matches(true, "/var/tmp/x"u8));
    }
}
