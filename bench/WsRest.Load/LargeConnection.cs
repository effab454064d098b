namespace WsRest.Load;

/// <summary>
/// A transport opened for the large-body runs: the same <see cref="HttpTransport"/> clients as the
/// small scenarios (HTTP/1.1 pool, HTTP/2 one connection, WsRest one connection), or one raw WebSocket
/// to <see cref="LargeRawEndpoint"/>.
/// </summary>
internal sealed class LargeConnection : IAsyncDisposable
{
    private readonly HttpTransport? _http;
    private readonly LargeRawConnection? _raw;

    private LargeConnection(HttpTransport? http, LargeRawConnection? raw)
    {
        _http = http;
        _raw = raw;
    }

    public static async Task<LargeConnection> ConnectAsync(TransportKind kind, int port, int concurrency, CancellationToken cancellationToken)
    {
        if (kind == TransportKind.RawWebSocket)
        {
            return new LargeConnection(null, await LargeRawConnection.ConnectAsync(port, cancellationToken).ConfigureAwait(false));
        }

        var http = (HttpTransport)await Transports.ConnectAsync(kind, port, concurrency, cancellationToken).ConfigureAwait(false);

        // Each request carries its own deadline instead of the client's 10 s, which a 256 MiB upload to a
        // slow handler outlasts by design. HttpClient allows this only before its first request: here.
        http.Client.Timeout = Timeout.InfiniteTimeSpan;
        return new LargeConnection(http, null);
    }

    /// <summary>A loop's requester: a download of <paramref name="bytes"/>, or an upload of them to <paramref name="uploadPath"/>.</summary>
    public IRequester CreateRequester(bool upload, long bytes, string uploadPath, TimeSpan timeout) => _http is not null
        ? new LargeHttpRequester(_http, upload, bytes, uploadPath, timeout)
        : _raw!.CreateRequester(upload, bytes, timeout);

    public ValueTask DisposeAsync() => _http is not null ? _http.DisposeAsync() : _raw!.DisposeAsync();
}
