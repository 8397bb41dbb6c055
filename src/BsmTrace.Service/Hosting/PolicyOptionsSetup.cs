using BsmTrace.Policy;
using BsmTrace.Policy.Binding;
using BsmTrace.Unix;
using Microsoft.Extensions.Options;

namespace BsmTrace.Service.Hosting;

/// <summary>Loads the policy file the settings name into a <see cref="PolicyOptions"/> value.</summary>
public sealed class PolicyOptionsSetup(IOptionsMonitor<BsmTraceOptions> settings, UserDatabase users) : IConfigureOptions<PolicyOptions>
{
    public void Configure(PolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var current = settings.CurrentValue;
        var result = PolicyLoader.Load(current.Policy, current.PolicyEnvironment(users));
        options.Policy = result.Policy;
        options.Diagnostics = result.Diagnostics;
        options.Files = result.Files.Count > 0 ? result.Files : [current.Policy];
        options.Path = current.Policy;
    }
}
