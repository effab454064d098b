using System.Net;
using WsRest.Client;

namespace WsRest.Load;

/// <summary>An <see cref="HttpClient"/>-based transport: SocketsHttpHandler (HTTP/1.1 or HTTP/2) or WsRest.</summary>
internal sealed class HttpTransport : ITransport
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private readonly HttpClient _client;
    private readonly Version _version;
    private readonly HttpVersionPolicy _policy;
    private readonly WsRestClient? _connection;

    private HttpTransport(HttpClient client, Version version, HttpVersionPolicy policy, WsRestClient? connection)
    {
        _client = client;
        _version = version;
        _policy = policy;
        _connection = connection;
    }

    public static HttpTransport CreateHttp11(int port, int concurrency)
    {
        var handler = CreateHandler();
        handler.MaxConnectionsPerServer = concurrency;
        return new HttpTransport(CreateClient(handler, port), HttpVersion.Version11, HttpVersionPolicy.RequestVersionExact, null);
    }

    public static HttpTransport CreateHttp2(int port)
    {
        var handler = CreateHandler();
        handler.EnableMultipleHttp2Connections = false;
        return new HttpTransport(CreateClient(handler, port), HttpVersion.Version20, HttpVersionPolicy.RequestVersionExact, null);
    }

    /// <param name="deflate">Offer permessage-deflate (with the BCL's defaults: 15 window bits, context takeover both ways).</param>
    public static async Task<HttpTransport> ConnectWsRestAsync(int port, TransportKind kind, CancellationToken cancellationToken)
    {
        var connection = new WsRestClient(CreateWsRestOptions(port, kind));
        try
        {
            await connection.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new HttpTransport(CreateClient(new WebSocketMessageHandler(connection), port), HttpVersion.Version11, HttpVersionPolicy.RequestVersionOrLower, connection);
    }

    /// <summary>The WsRest client options of the bench: defaults, plus compression or the JSON encoding for those transports.</summary>
    public static WsRestClientOptions CreateWsRestOptions(int port, TransportKind kind) => new()
    {
        Endpoint = new Uri($"ws://127.0.0.1:{port}/wsrest"),
        DeflateOptions = kind == TransportKind.WsRestDeflate ? new System.Net.WebSockets.WebSocketDeflateOptions() : null,
        Encoding = kind == TransportKind.WsRestJson ? WsRestEncoding.Json : WsRestEncoding.Binary,
    };

    /// <summary>The client, for the large-body scenarios (LargeConnection), which send their own requests.</summary>
    internal HttpClient Client => _client;

    internal Version RequestVersion => _version;

    internal HttpVersionPolicy RequestVersionPolicy => _policy;

    public IRequester CreateRequester(Workload workload) => new Requester(this, workload);

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static SocketsHttpHandler CreateHandler() => new()
    {
        UseCookies = false,
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };

    private static HttpClient CreateClient(HttpMessageHandler handler, int port) => new(handler)
    {
        BaseAddress = new Uri($"http://127.0.0.1:{port}/"),
        Timeout = RequestTimeout,
    };

    /// <summary>One loop's request state: the URI and a body buffer, reused for every request.</summary>
    private sealed class Requester(HttpTransport transport, Workload workload) : IRequester
    {
        private readonly Uri _uri = new(transport._client.BaseAddress!, workload == Workload.SmallGet ? "small" : "echo4k");
        private readonly int _expected = workload == Workload.SmallGet ? Payloads.SmallJson.Length : Payloads.EchoSize;
        private readonly byte[] _buffer = new byte[Payloads.EchoSize + 1];

        public async ValueTask SendAsync()
        {
            using var request = new HttpRequestMessage(workload == Workload.SmallGet ? HttpMethod.Get : HttpMethod.Post, _uri)
            {
                Version = transport._version,
                VersionPolicy = transport._policy,
            };
            if (workload == Workload.Echo4K)
            {
                request.Content = new ByteArrayContent(Payloads.Echo4K);
            }

            using var response = await transport._client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new HttpRequestException($"{request.Method} {_uri.AbsolutePath} answered {(int)response.StatusCode}.", null, response.StatusCode);
            }

            var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                var length = 0;
                int read;
                while ((read = await body.ReadAsync(_buffer.AsMemory(length)).ConfigureAwait(false)) > 0)
                {
                    length += read;
                    if (length == _buffer.Length)
                    {
                        break;
                    }
                }

                if (length != _expected)
                {
                    throw new InvalidDataException($"{request.Method} {_uri.AbsolutePath}: {length} body bytes, expected {_expected}.");
                }
            }
        }
    }
}
