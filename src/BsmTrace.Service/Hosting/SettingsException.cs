namespace BsmTrace.Service.Hosting;

/// <summary>A setting that cannot be used: the message is the one line the user sees, naming the setting.</summary>
public sealed class SettingsException(string message) : Exception(message);
