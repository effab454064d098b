using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Features.Authentication;
using WsRest.Protocol;

namespace WsRest.Server.Dispatch;

/// <summary>The request-side features, implemented on the context itself (one object per request, reused).</summary>
internal partial class DispatchContext :
    IHttpRequestFeature,
    IHttpRequestBodyDetectionFeature,
    IHttpRequestLifetimeFeature,
    IHttpRequestIdentifierFeature,
    IHttpConnectionFeature,
    IHttpAuthenticationFeature,
    IWsRestConnectionFeature
{
    // ---- IHttpRequestFeature ----

    public string Protocol { get; set; } = HttpProtocol.Http11;

    public string Scheme { get; set; } = "http";

    public string Method { get; set; } = HttpMethods.Get;

    public string PathBase { get; set; } = string.Empty;

    public string Path { get; set; } = string.Empty;

    public string QueryString { get; set; } = string.Empty;

    public string RawTarget { get; set; } = string.Empty;

    public IHeaderDictionary Headers { get; set; } = null!;

    public Stream Body { get; set; } = Stream.Null;

    // ---- IHttpRequestBodyDetectionFeature: a REQUEST frame with END and no inline bytes has no body ----

    public bool CanHaveBody { get; private set; }

    // ---- IHttpRequestLifetimeFeature: aborted by CANCEL or a lost connection; Abort sends CANCEL ----

    // The stream's token is made on first use, so a request whose app never asks for it does without.
    public CancellationToken RequestAborted
    {
        get => _requestAbortedSet ? _requestAborted : _stream?.Aborted ?? default;
        set
        {
            _requestAborted = value;
            _requestAbortedSet = true;
        }
    }

    public void Abort() => _stream?.Reset(WsRestErrorCode.Cancel); // after the request ended there is nothing left to abort

    // ---- IHttpRequestIdentifierFeature: made on first use, most requests never read it ----

    public string TraceIdentifier
    {
        get => _traceIdentifier ??= $"{_connection.ConnectionId}:{_streamId}";
        set => _traceIdentifier = value;
    }

    // ---- IHttpConnectionFeature ----

    public string ConnectionId { get; set; } = string.Empty;

    public IPAddress? RemoteIpAddress { get; set; }

    public IPAddress? LocalIpAddress { get; set; }

    public int RemotePort { get; set; }

    public int LocalPort { get; set; }

    // ---- IHttpAuthenticationFeature ----

    public ClaimsPrincipal? User { get; set; }

    // ---- IWsRestConnectionFeature (offered only on a server-side connection) ----

    WsRestConnection IWsRestConnectionFeature.Connection => _connection.Connection ?? throw new InvalidOperationException("This request did not arrive on a WsRest server connection.");

    ulong IWsRestConnectionFeature.StreamId => _streamId;
}
