using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using WsRest.Engine;

namespace WsRest.Server.Dispatch;

/// <summary>
/// Everything the app sees of one tunneled request: the feature collection and the request-side
/// features on one object, with the response (<see cref="DispatchResponse"/>) alongside. A connection
/// reuses these between requests (<see cref="DispatchContextPool"/>), as Kestrel reuses its
/// per-stream state, so a request costs no feature objects, no header dictionaries and, through
/// <c>IHostContextContainer</c>, no new <c>HttpContext</c>. Valid from <see cref="Initialize"/> until
/// <see cref="Reset"/>: like Kestrel's, an <c>HttpContext</c> must not be used after its request ended.
/// </summary>
internal partial class DispatchContext
{
    private readonly DispatchConnectionContext _connection;
    private readonly HeaderDictionary _requestHeaders = new();
    private readonly DispatchMaxRequestBodySizeFeature _maxRequestBodySize = new();
    private WsRestStream? _stream;
    private string? _traceIdentifier;
    private ulong _streamId; // kept after the request ends: its identifier stays readable, as on Kestrel
    private CancellationToken _requestAborted;
    private bool _requestAbortedSet;

    public DispatchContext(DispatchConnectionContext connection)
    {
        _connection = connection;
        Response = new DispatchResponse();
        Reset();
    }

    public DispatchResponse Response { get; }

    /// <summary>Fills the features from the REQUEST head of <paramref name="stream"/>.</summary>
    public void Initialize(WsRestStream stream)
    {
        _stream = stream;
        _streamId = stream.Id;
        var head = stream.RequestHead!;
        IHeaderDictionary headers = _requestHeaders;
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
        Protocol = HttpProtocol.Http11;
        Scheme = _connection.Scheme;
        Method = head.Method;
        PathBase = string.Empty;
        Path = rawPath == "*" ? string.Empty : PathNormalizer.RemoveDotSegments(PathString.FromUriComponent(rawPath).Value ?? "/");
        QueryString = queryStart < 0 ? string.Empty : target[queryStart..];
        RawTarget = target;
        Headers = headers;

        _maxRequestBodySize.Reset(_connection.MaxRequestBodySize);
        CanHaveBody = !stream.RequestHasNoBody;
        Body = CanHaveBody ? new DispatchRequestBodyStream(stream, _maxRequestBodySize, headers.ContentLength) : Stream.Null;
        User = _connection.ResolveUser?.Invoke(headers) ?? _connection.User;
        ConnectionId = _connection.ConnectionId;
        RemoteIpAddress = _connection.RemoteIpAddress;
        RemotePort = _connection.RemotePort;
        LocalIpAddress = _connection.LocalIpAddress;
        LocalPort = _connection.LocalPort;
        Response.Initialize(stream, suppressBody: HttpMethods.IsHead(head.Method));
    }

    /// <summary>The request is over (the context disposed): forget it so the next one starts clean.</summary>
    public void Reset()
    {
        _stream = null;
        _traceIdentifier = null;
        _requestHeaders.Clear();
        Headers = _requestHeaders;
        Body = Stream.Null;
        _requestAborted = default;
        _requestAbortedSet = false;
        User = null;
        Response.Reset();
        ResetFeatures();
    }
}
