using System.Globalization;
using Microsoft.Extensions.Options;

namespace WsRest.Client.DependencyInjection;

/// <summary>
/// Validates the named <see cref="WsRestClientOptions"/> that dependency injection creates connections
/// from (registered connection names and HttpClients that share by endpoint); other names are skipped.
/// Runs at host start through <c>ValidateOnStart</c>, so a missing or malformed endpoint in
/// configuration stops the app with a message that names the connection and the setting.
/// </summary>
internal sealed class WsRestClientOptionsValidator(
    IEnumerable<WsRestNamedConnection> connections,
    IEnumerable<WsRestHttpClientBinding> bindings) : IValidateOptions<WsRestClientOptions>
{
    private const string Example = "ws://localhost:5000/wsrest";

    public ValidateOptionsResult Validate(string? name, WsRestClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var subject = Describe(name ?? Options.DefaultName);
        if (subject is null)
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>();
        if (options.Endpoint is not { } endpoint)
        {
            failures.Add($"{subject}: Endpoint is required: the absolute ws:// or wss:// URI of the server's WsRest endpoint, e.g. {Example}.");
        }
        else if (!endpoint.IsAbsoluteUri)
        {
            failures.Add($"{subject}: Endpoint '{endpoint.OriginalString}' is relative; it must be an absolute ws:// or wss:// URI, e.g. {Example}.");
        }
        else if (endpoint.Scheme is not ("ws" or "wss"))
        {
            failures.Add($"{subject}: Endpoint '{endpoint}' has the scheme '{endpoint.Scheme}'; it must be ws:// or wss:// (e.g. {Example}).");
        }

        if (options.MaxMessageSize < 4096)
        {
            failures.Add($"{subject}: MaxMessageSize is {Format(options.MaxMessageSize)}; it must be at least 4096 bytes.");
        }

        AddIfNotPositive(failures, subject, nameof(options.InitialStreamWindowSize), options.InitialStreamWindowSize);
        AddIfNotPositive(failures, subject, nameof(options.InitialConnectionWindowSize), options.InitialConnectionWindowSize);
        AddIfNotPositive(failures, subject, nameof(options.MaxHeaderListSize), options.MaxHeaderListSize);
        AddIfNotPositive(failures, subject, nameof(options.ConnectTimeout), options.ConnectTimeout);
        AddIfNotPositive(failures, subject, nameof(options.HandshakeTimeout), options.HandshakeTimeout);
        AddIfNegative(failures, subject, nameof(options.KeepAliveInterval), options.KeepAliveInterval);
        AddIfNegative(failures, subject, nameof(options.KeepAliveTimeout), options.KeepAliveTimeout);

        if (failures.Count == 0)
        {
            // The client's own rules are the last word: whatever it would reject at construction is
            // reported here too, at start, instead of on the first request.
            try
            {
                options.Validate();
            }
            catch (InvalidOperationException ex)
            {
                failures.Add($"{subject}: {ex.Message}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private string? Describe(string name)
    {
        foreach (var connection in connections)
        {
            if (connection.Name == name)
            {
                return $"WsRest connection '{name}'";
            }
        }

        WsRestHttpClientBinding? match = null;
        foreach (var binding in bindings)
        {
            if (binding.ConnectionName is null && binding.HttpClientName == name)
            {
                match = binding;
            }
        }

        return match switch
        {
            null => null,
            { ConfigurationPath: { } path } => $"WsRest options of HttpClient '{name}' (configuration section '{path}')",
            _ => $"WsRest options of HttpClient '{name}'",
        };
    }

    private static void AddIfNotPositive(List<string> failures, string subject, string property, int value)
    {
        if (value < 1)
        {
            failures.Add($"{subject}: {property} is {Format(value)}; it must be positive.");
        }
    }

    private static void AddIfNotPositive(List<string> failures, string subject, string property, TimeSpan value)
    {
        if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            failures.Add($"{subject}: {property} is {value.ToString("c", CultureInfo.InvariantCulture)}; it must be positive (or infinite).");
        }
    }

    private static void AddIfNegative(List<string> failures, string subject, string property, TimeSpan value)
    {
        if (value < TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            failures.Add($"{subject}: {property} is {value.ToString("c", CultureInfo.InvariantCulture)}; it must not be negative.");
        }
    }

    private static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);
}
