using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using WsRest.Engine;
using WsRest.Server.Hosting;

namespace WsRest.Server.Dispatch;

/// <summary>
/// Turns each incoming stream into a feature collection and runs it through the app's pipeline, so
/// the app cannot tell a tunneled request from one Kestrel parsed. Runs on the thread pool (the
/// engine never calls it on the read loop).
/// </summary>
internal sealed class TunnelRequestDispatcher : IWsRestStreamHandler
{
    private readonly ITunnelApplication _application;
    private readonly TunnelConnectionContext _connection;

    public TunnelRequestDispatcher(ITunnelApplication application, TunnelConnectionContext connection)
    {
        _application = application;
        _connection = connection;
    }

    public async Task HandleAsync(WsRestStream stream)
    {
        var head = stream.RequestHead!;
        IHeaderDictionary headers = new HeaderDictionary();
        foreach (var (name, value) in head.Headers)
        {
            // Not Append: it drops empty values, which Kestrel keeps.
            headers[name] = headers.TryGetValue(name, out var existing) ? StringValues.Concat(existing, value) : new StringValues(value);
        }

        if (!headers.ContainsKey(HeaderNames.Host))
        {
            headers.Host = _connection.Host;
        }

        var target = head.PathAndQuery;
        var queryStart = target.IndexOf('?', StringComparison.Ordinal);
        var rawPath = queryStart < 0 ? target : target[..queryStart];
        var request = new HttpRequestFeature
        {
            Protocol = HttpProtocol.Http11,
            Scheme = _connection.Scheme,
            Method = head.Method,
            PathBase = string.Empty,
            Path = rawPath == "*" ? string.Empty : PathNormalizer.RemoveDotSegments(PathString.FromUriComponent(rawPath).Value ?? "/"),
            QueryString = queryStart < 0 ? string.Empty : target[queryStart..],
            RawTarget = target,
            Headers = headers,
        };

        var limit = new TunnelMaxRequestBodySizeFeature(_connection.MaxRequestBodySize);
        var hasBody = !stream.RequestHasNoBody;
        request.Body = hasBody ? new TunnelRequestBodyStream(stream, limit, headers.ContentLength) : Stream.Null;
        var response = new TunnelResponse(stream, suppressBody: HttpMethods.IsHead(head.Method));

        var features = new FeatureCollection(12);
        features.Set<IHttpRequestFeature>(request);
        features.Set<IHttpResponseFeature>(response);
        features.Set<IHttpResponseBodyFeature>(response);
        features.Set<IHttpRequestBodyDetectionFeature>(new TunnelRequestBodyDetectionFeature(hasBody));
        features.Set<IHttpMaxRequestBodySizeFeature>(limit);
        features.Set<IHttpRequestLifetimeFeature>(new TunnelRequestLifetimeFeature(stream));
        features.Set<IHttpRequestIdentifierFeature>(new HttpRequestIdentifierFeature { TraceIdentifier = $"{_connection.ConnectionId}:{stream.Id}" });
        features.Set<IHttpConnectionFeature>(new HttpConnectionFeature
        {
            ConnectionId = _connection.ConnectionId,
            RemoteIpAddress = _connection.RemoteIpAddress,
            RemotePort = _connection.RemotePort,
            LocalIpAddress = _connection.LocalIpAddress,
            LocalPort = _connection.LocalPort,
        });
        features.Set<IHttpAuthenticationFeature>(new HttpAuthenticationFeature { User = _connection.ResolveUser?.Invoke(headers) ?? _connection.User });
        if (_connection.Connection is { } connection)
        {
            features.Set<IWsRestConnectionFeature>(new WsRestConnectionFeature(connection, stream.Id));
        }
        // The tunneled request sees the TLS of the WebSocket it arrived on, as a Kestrel request sees its own.
        if (_connection.Tls is { } tls)
        {
            features.Set(tls);
        }

        if (_connection.TlsHandshake is { } handshake)
        {
            features.Set(handshake);
        }

        if (_connection.TlsApplicationProtocol is { } alpn)
        {
            features.Set(alpn);
        }

        try
        {
            await _application.ProcessRequestAsync(features, response, _connection.ConnectionId, stream.Id).ConfigureAwait(false);
        }
        finally
        {
            // Whatever request body the app left unread no longer holds connection credit.
            stream.ReleaseBody();
        }
    }

    private sealed class WsRestConnectionFeature(WsRestConnection connection, ulong streamId) : IWsRestConnectionFeature
    {
        public WsRestConnection Connection { get; } = connection;

        public ulong StreamId { get; } = streamId;
    }
}
