using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace WsRest.Server.Dispatch;

/// <summary>What every request on one connection shares, taken once from the WebSocket upgrade request.</summary>
internal sealed class DispatchConnectionContext
{
    public required string ConnectionId { get; init; }

    public required string Scheme { get; init; }

    public required string Host { get; init; }

    public required ClaimsPrincipal User { get; init; }

    /// <summary>
    /// The upgrade carried no authenticated identity and no claim. Each request then gets no principal
    /// of its own, as a Kestrel request without authentication: <c>HttpContext.User</c> makes a fresh
    /// anonymous one per request, and only when read. Worked out once per connection.
    /// </summary>
    public bool UserIsAnonymous => _userIsAnonymous ??= !User.Identities.Any(static identity => identity.IsAuthenticated || identity.Claims.Any());

    private bool? _userIsAnonymous;

    public IPAddress? RemoteIpAddress { get; init; }

    public int RemotePort { get; init; }

    public IPAddress? LocalIpAddress { get; init; }

    public int LocalPort { get; init; }

    public ITlsConnectionFeature? Tls { get; init; }

    /// <summary>Protocol, cipher and the like of the upgrade's TLS handshake (Kestrel implements it on the same object).</summary>
    public Microsoft.AspNetCore.Connections.Features.ITlsHandshakeFeature? TlsHandshake { get; init; }

    public Microsoft.AspNetCore.Server.Kestrel.Core.Features.ITlsApplicationProtocolFeature? TlsApplicationProtocol { get; init; }

    public long? MaxRequestBodySize { get; init; }

    /// <summary>Kestrel's <c>Limits.MaxRequestLineSize</c> (<see cref="RequestHeadLimits"/>); unlimited where there is no Kestrel (the tunnel).</summary>
    public int MaxRequestLineSize { get; init; } = int.MaxValue;

    /// <summary>Kestrel's <c>Limits.MaxRequestHeadersTotalSize</c>.</summary>
    public int MaxRequestHeadersTotalSize { get; init; } = int.MaxValue;

    /// <summary>Kestrel's <c>Limits.MaxRequestHeaderCount</c>.</summary>
    public int MaxRequestHeaderCount { get; init; } = int.MaxValue;

    /// <summary>Kestrel's <c>Limits.MinRequestBodyDataRate</c>, applied per tunneled stream; null: none.</summary>
    public Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate? MinRequestBodyDataRate { get; init; }

    /// <summary>Kestrel's <c>Limits.MinResponseDataRate</c>, applied per tunneled stream; null: none.</summary>
    public Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate? MinResponseDataRate { get; init; }

    /// <summary>Kestrel's <c>ResponseHeaderEncodingSelector</c>: the response headers that may carry more than ASCII (<see cref="DispatchResponseHeaders"/>).</summary>
    public Func<string, System.Text.Encoding?>? ResponseHeaderEncodingSelector { get; init; }

    /// <summary>Where responses take their <c>Date</c> header from.</summary>
    public DateHeaderCache DateHeader { get; init; } = DateHeaderCache.System;

    /// <summary>Clock for the data-rate timers.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>A request's own Host header wins over <see cref="Host"/> (WsRestServerOptions.AllowHostHeaderOverride; the tunnel side, where the server names the host).</summary>
    public bool AllowHostHeaderOverride { get; init; }

    /// <summary>The server-side connection (absent on the client side of a tunnel).</summary>
    public WsRestConnection? Connection { get; set; }

    /// <summary>When set, the principal comes from each request (the tunnel side: who called, per request).</summary>
    public Func<IHeaderDictionary, ClaimsPrincipal>? ResolveUser { get; init; }
}
