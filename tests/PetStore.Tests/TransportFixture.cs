using WsRest.Client;

namespace PetStore.Tests;

/// <summary>
/// Base of the fixtures that run once per <see cref="Transport"/>: it provides <see cref="Http"/>,
/// an <see cref="HttpClient"/> that reaches the shared server over that transport.
/// </summary>
public abstract class TransportFixture(Transport transport) : IAsyncDisposable
{
    private WsRestClient? _connection;
    private HttpClient? _http;

    /// <summary>The transport this fixture instance runs over.</summary>
    protected Transport Transport { get; } = transport;

    /// <summary>The client for this fixture's transport; its base address is the API root.</summary>
    protected HttpClient Http => _http ?? throw new InvalidOperationException("The fixture is not set up.");

    /// <summary>Creates the client (and, for WsRest, connects).</summary>
    [OneTimeSetUp]
    public async Task SetUpTransportAsync()
    {
        using var timeout = TestTimeout.Create();
        HttpMessageHandler handler;
        if (Transport == Transport.WsRest)
        {
            _connection = new WsRestClient(new WsRestClientOptions { Endpoint = PetStoreServer.WsRestEndpoint });
            await _connection.ConnectAsync(timeout.Token);
            Assert.That(_connection.ConnectionId, Does.Match("^[0-9a-f]{32}$"), "WsRest should assign a 128-bit hex connection id.");
            handler = new WebSocketMessageHandler(_connection);
        }
        else
        {
            handler = new SocketsHttpHandler();
        }

        _http = new HttpClient(handler) { BaseAddress = PetStoreServer.BaseAddress, Timeout = TestTimeout.Value };
    }

    /// <summary>Disposes the client and the connection (NUnit calls it once the fixture is done).</summary>
    public async ValueTask DisposeAsync()
    {
        _http?.Dispose();
        _http = null;
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            _connection = null;
        }

        GC.SuppressFinalize(this);
    }
}
