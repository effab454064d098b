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
    private readonly DispatchDataRateFeatures _dataRates = new();
    private DispatchRequestBodyStream? _requestBody;
    private WsRestStream? _stream;
    private string? _traceIdentifier;
    private ulong _streamId; // kept after the request ends: its identifier stays readable, as on Kestrel
    private CancellationToken _requestAborted;
    private bool _requestAbortedSet;

    public DispatchContext(DispatchConnectionContext connection)
    {
        _connection = connection;
        Response = new DispatchResponse(connection.ResponseHeaderEncodingSelector);
        Reset();
    }

    public DispatchResponse Response { get; }

    /// <summary>Fills the features from the REQUEST head of <paramref name="stream"/>.</summary>
    public void Initialize(WsRestStream stream)
    {
        _stream = stream;
        _streamId = stream.Id;
        var head = stream.RequestHead!;
        var headers = _requestHeaders;
        foreach (var (name, value) in head.Headers)
        {
            // Not Append: it drops empty values, which Kestrel keeps.
            headers[name] = headers.TryGetValue(name, out var existing) ? StringValues.Concat(existing, value) : new StringValues(value);
        }

        // Kestrel parses the head before it looks at Host or Content-Length: its limits answer first.
        BadRequestStatus = RequestHeadLimits.Check(head, _connection, out var tooLarge);
        BadRequestReason = tooLarge;
        var invalid = ValidateHostAndLength(headers);
        if (BadRequestReason is null && invalid is not null)
        {
            BadRequestReason = invalid;
            BadRequestStatus = StatusCodes.Status400BadRequest;
        }

        var target = head.PathAndQuery;
        var queryStart = target.IndexOf('?', StringComparison.Ordinal);
        var rawPath = queryStart < 0 ? target : target[..queryStart];
        Protocol = HttpProtocol.Http11;
        Scheme = _connection.Scheme;
        Method = head.Method;
        PathBase = string.Empty;
        string path;
        if (rawPath == "*")
        {
            path = string.Empty;
        }
        else if (rawPath.Contains("%00", StringComparison.Ordinal))
        {
            // Kestrel refuses a target that decodes to NUL before the app sees it (400); the decoder
            // would throw here and reset the stream instead.
            if (BadRequestReason is null)
            {
                BadRequestReason = "The request target contains an encoded NUL character.";
                BadRequestStatus = StatusCodes.Status400BadRequest;
            }

            path = "/";
        }
        else
        {
            path = PathString.FromUriComponent(rawPath).Value ?? "/";
        }

        Path = PathNormalizer.RemoveDotSegments(path);
        QueryString = queryStart < 0 ? string.Empty : target[queryStart..];
        RawTarget = target;
        Headers = headers;

        _maxRequestBodySize.Reset(_connection.MaxRequestBodySize);
        var declaredLength = headers.ContentLength;
        CanHaveBody = !stream.RequestHasNoBody;

        // A declared length with no body still needs the body stream: reading it must fail, as on Kestrel.
        _requestBody = CanHaveBody || declaredLength > 0 ? new DispatchRequestBodyStream(stream, _maxRequestBodySize, declaredLength, _dataRates, _connection.TimeProvider) : null;
        Body = _requestBody ?? Stream.Null;

        // Each request gets its own principal: a middleware that adds a claim for one request (a step-up
        // after a one-time code) must not grant it to every later request on the connection, as it would
        // if all shared the upgrade's object. Over HTTP authentication builds a new one per request too.
        User = _connection.ResolveUser?.Invoke(headers) ?? (_connection.UserIsAnonymous ? null : CloneDeep(_connection.User));
        ConnectionId = _connection.ConnectionId;
        RemoteIpAddress = _connection.RemoteIpAddress;
        RemotePort = _connection.RemotePort;
        LocalIpAddress = _connection.LocalIpAddress;
        LocalPort = _connection.LocalPort;
        Response.Initialize(stream, suppressBody: HttpMethods.IsHead(head.Method), _dataRates, _connection.TimeProvider, _connection.DateHeader);
    }

    /// <summary>
    /// Why Kestrel would have answered this request without running the app: 400 (two Host or
    /// Content-Length values, an unparsable length, a NUL in the path), 414 or 431 (its head limits,
    /// <see cref="RequestHeadLimits"/>); null for a valid request.
    /// </summary>
    public string? BadRequestReason { get; private set; }

    /// <summary>The status that goes with <see cref="BadRequestReason"/>.</summary>
    public int BadRequestStatus { get; private set; }

    // ClaimsPrincipal.Clone shares the identities, and a claim is added to an identity: copy those too.
    private static ClaimsPrincipal CloneDeep(ClaimsPrincipal user)
    {
        var copy = new ClaimsPrincipal();
        foreach (var identity in user.Identities)
        {
            copy.AddIdentity(identity.Clone());
        }

        return copy;
    }

    private string? ValidateHostAndLength(IHeaderDictionary headers)
    {
        string? reason = null;
        var host = headers.Host;
        if (host.Count > 1)
        {
            reason = "The request has more than one Host header value.";
        }

        // The upgrade's Host is what the server is; a client-chosen one would reach endpoints behind
        // RequireHost that its upgrade could not (docs/security.md), unless the server opted in.
        if (!_connection.AllowHostHeaderOverride || host.Count != 1)
        {
            headers.Host = _connection.Host;
        }

        if (headers.TryGetValue(HeaderNames.ContentLength, out var length) && (length.Count > 1 || headers.ContentLength is null))
        {
            reason ??= length.Count > 1
                ? "The request has more than one Content-Length header value."
                : "The request's Content-Length is not a valid length.";
        }

        return reason;
    }

    /// <summary>The request is over (the context disposed): forget it so the next one starts clean.</summary>
    public void Reset()
    {
        _stream = null;
        _traceIdentifier = null;
        _requestHeaders.Clear();
        Headers = _requestHeaders;
        _requestBody?.ReleaseTimer();
        _requestBody = null;
        Body = Stream.Null;
        _requestAborted = default;
        _requestAbortedSet = false;
        User = null;
        BadRequestReason = null;
        BadRequestStatus = 0;
        Response.Reset();
        ResetFeatures();
    }
}
