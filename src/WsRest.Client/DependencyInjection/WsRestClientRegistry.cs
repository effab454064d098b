using System.Net.WebSockets;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WsRest.Client.DependencyInjection;

/// <summary>
/// The DI-owned <see cref="WsRestClient"/>s: one per connection, created on first use from the
/// connection's named options and disposed with the container.
/// </summary>
/// <remarks>
/// <c>IHttpClientFactory</c> rotates primary handlers (<c>SetHandlerLifetime</c>) and disposes expired
/// ones once no <see cref="HttpClient"/> uses them. The handlers it gets from here are
/// <see cref="WebSocketMessageHandler"/>s over a client they do not own, so rotation never opens a new
/// socket and disposing an expired handler never touches requests in flight on the shared one.
/// </remarks>
internal sealed class WsRestClientRegistry : IWsRestClientProvider, IAsyncDisposable, IDisposable
{
    private readonly IOptionsMonitor<WsRestClientOptions> _options;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly TimeProvider? _timeProvider;
    private readonly System.Diagnostics.Metrics.IMeterFactory? _meterFactory;
    private readonly IServiceProvider? _services;
    private readonly HashSet<string> _connectionNames;
    private readonly Dictionary<string, WsRestHttpClientBinding> _bindings;
    private readonly Lock _gate = new();
    private readonly Dictionary<ConnectionKey, Entry> _clients = [];
    private bool _disposed;

    public WsRestClientRegistry(
        IEnumerable<WsRestNamedConnection> connections,
        IEnumerable<WsRestHttpClientBinding> bindings,
        IOptionsMonitor<WsRestClientOptions> options,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null,
        System.Diagnostics.Metrics.IMeterFactory? meterFactory = null,
        IServiceProvider? services = null)
    {
        ArgumentNullException.ThrowIfNull(connections);
        ArgumentNullException.ThrowIfNull(bindings);
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _loggerFactory = loggerFactory;
        _timeProvider = timeProvider;
        _meterFactory = meterFactory;
        _services = services;
        _connectionNames = new HashSet<string>(connections.Select(c => c.Name), StringComparer.Ordinal);

        // Registration order: a later AddWebSocketTransport on the same HttpClient replaces an earlier
        // one, as its primary handler does.
        _bindings = new Dictionary<string, WsRestHttpClientBinding>(StringComparer.Ordinal);
        foreach (var binding in bindings)
        {
            _bindings[binding.HttpClientName] = binding;
        }
    }

    public WsRestClient GetClient(string connectionName)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionName);
        if (_connectionNames.Contains(connectionName))
        {
            return GetOrCreate(new ConnectionKey(ByEndpoint: false, connectionName), connectionName);
        }

        // Not a declared name: the endpoint URI shared by clients that named no connection.
        if (Uri.TryCreate(connectionName, UriKind.Absolute, out var requested))
        {
            var key = requested.AbsoluteUri;
            foreach (var binding in _bindings.Values)
            {
                if (binding.ConnectionName is null
                    && TryGetOptions(binding.HttpClientName) is { Endpoint: { IsAbsoluteUri: true } endpoint }
                    && endpoint.AbsoluteUri == key)
                {
                    return GetOrCreate(new ConnectionKey(ByEndpoint: true, key), binding.HttpClientName);
                }
            }
        }

        throw new InvalidOperationException(
            $"No WsRest connection named '{connectionName}' is registered. Declare one with services.AddWsRestClient(\"{connectionName}\") " +
            $"or httpClientBuilder.AddWebSocketTransport(\"{connectionName}\"); clients registered without a connection name are found by their endpoint URI.");
    }

    public WsRestClient GetClientForHttpClient(string httpClientName)
    {
        var binding = GetBinding(httpClientName);
        if (binding.ConnectionName is { } connectionName)
        {
            return GetOrCreate(new ConnectionKey(ByEndpoint: false, connectionName), connectionName);
        }

        var endpoint = _options.Get(httpClientName).Endpoint!;
        return GetOrCreate(new ConnectionKey(ByEndpoint: true, endpoint.AbsoluteUri), httpClientName);
    }

    /// <summary>The endpoint the named HttpClient's connection uses (for its default base address).</summary>
    internal Uri GetEndpoint(string httpClientName)
    {
        var binding = GetBinding(httpClientName);
        return _options.Get(binding.ConnectionName ?? httpClientName).Endpoint!;
    }

    public async ValueTask DisposeAsync()
    {
        WsRestClient[] clients;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            clients = [.. _clients.Values.Select(e => e.Client)];
            _clients.Clear();
        }

        await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);
    }

    /// <summary>
    /// For a container disposed synchronously (<c>ServiceProvider.Dispose</c>), which refuses services
    /// that are only <see cref="IAsyncDisposable"/>. Closing a WebSocket is asynchronous, so this blocks;
    /// hosts dispose asynchronously and never come here.
    /// </summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private WsRestHttpClientBinding GetBinding(string httpClientName)
    {
        ArgumentNullException.ThrowIfNull(httpClientName);
        return _bindings.TryGetValue(httpClientName, out var binding)
            ? binding
            : throw new InvalidOperationException($"The HttpClient '{httpClientName}' does not send over WsRest: call AddWebSocketTransport on its builder (services.AddHttpClient(...).AddWebSocketTransport(...)).");
    }

    private WsRestClientOptions? TryGetOptions(string optionsName)
    {
        try
        {
            return _options.Get(optionsName);
        }
        catch (OptionsValidationException)
        {
            return null;
        }
    }

    private WsRestClient GetOrCreate(ConnectionKey key, string optionsName)
    {
        // Resolved outside the lock: the options factory runs the app's configure callbacks.
        var options = _options.Get(optionsName);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_clients.TryGetValue(key, out var existing))
            {
                // Clients that named no connection share their endpoint's, created from the options of
                // whichever came first: one configured differently is an error, not silently ignored.
                if (existing.OptionsName != optionsName && !SameOptions(existing.Options, options))
                {
                    throw new InvalidOperationException(
                        $"The HttpClients '{existing.OptionsName}' and '{optionsName}' both send to {key.Value} without a connection name, so they share one WsRest connection, " +
                        "but their WsRestClientOptions differ. Configure them alike, or give each its own connection with AddWebSocketTransport(\"name\", ...).");
                }

                return existing.Client;
            }

            // The endpoints a client serves (WsRestClientOptions.Endpoints) resolve their services here.
            var client = new WsRestClient(options, _loggerFactory, _timeProvider, _meterFactory) { EndpointServices = _services };
            _clients.Add(key, new Entry(client, optionsName, options));
            return client;
        }
    }

    // Options are plain property bags; nested option objects of this assembly (e.g. the reconnect
    // settings) and the deflate parameters (bound from configuration as a new object per client) are
    // compared property by property, everything else (values, URIs, delegates,
    // pipelines, invokers) with Equals, so two distinct callbacks count as different.
    private static bool SameOptions(object? x, object? y, int depth = 0)
    {
        if (ReferenceEquals(x, y))
        {
            return true;
        }

        if (x is null || y is null || x.GetType() != y.GetType())
        {
            return false;
        }

        if (x is IDictionary<string, string> left && y is IDictionary<string, string> right)
        {
            return left.Count == right.Count && left.All(pair => right.TryGetValue(pair.Key, out var value) && value == pair.Value);
        }

        var type = x.GetType();
        if (depth > 4 || type.IsValueType || (type.Assembly != typeof(WsRestClientOptions).Assembly && x is not WebSocketDeflateOptions) || x is Delegate)
        {
            return Equals(x, y);
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.CanRead && property.GetIndexParameters().Length == 0
                && !SameOptions(property.GetValue(x), property.GetValue(y), depth + 1))
            {
                return false;
            }
        }

        return true;
    }

    private readonly record struct ConnectionKey(bool ByEndpoint, string Value);

    private sealed record Entry(WsRestClient Client, string OptionsName, WsRestClientOptions Options);
}
