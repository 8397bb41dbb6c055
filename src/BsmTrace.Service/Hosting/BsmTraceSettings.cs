using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace BsmTrace.Service.Hosting;

/// <summary>Reads the settings out of the configuration's layers and checks them: the same for every source of a setting.</summary>
public static partial class BsmTraceSettings
{
    /// <summary>The bound and validated settings.</summary>
    /// <exception cref="SettingsException">A setting that is not of its type, or out of its range: one line naming it.</exception>
    public static BsmTraceOptions Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        BsmTraceOptions options;
        try
        {
            options = configuration.GetSection(BsmTraceOptions.Section).Get<BsmTraceOptions>() ?? new BsmTraceOptions();
        }
        catch (InvalidOperationException e) when (ConversionFailure().Match(e.Message) is { Success: true } m)
        {
            string key = m.Groups["key"].Value;
            throw new SettingsException($"{key}: {Shown(configuration[key])} is not {Expected(m.Groups["type"].Value)}");
        }

        var failures = BsmTraceOptionsValidator.Failures(options);
        if (failures.Count > 0)
            throw new SettingsException(string.Join("; ", failures));
        return options;
    }

    private static string Shown(string? value) => value is null ? "nothing" : $"'{value}'";

    private static string Expected(string type) => type switch
    {
        "System.Int32" => string.Create(CultureInfo.InvariantCulture, $"a whole number (at most {int.MaxValue})"),
        "System.Boolean" => "true or false",
        _ => "a value of its kind",
    };

    // The configuration binder's words: "Failed to convert configuration value at 'BsmTrace:MaxInstances' to type 'System.Int32'."
    [GeneratedRegex(@"at '(?<key>[^']+)' to type '(?<type>[^']+)'")]
    private static partial Regex ConversionFailure();
}
