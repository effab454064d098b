using System.Net;
using System.Net.WebSockets;
using System.Security.Claims;
using WsRest.Engine;

namespace WsRest.Server;

/// <summary>A client connected over WsRest, as listed by <see cref="WsRestConnectionRegistry"/>.</summary>
public sealed class WsRestConnection
{
    internal WsRestConnection(string id, IReadOnlyDictionary<string, string> metadata, ClaimsPrincipal user, IPEndPoint? remoteEndPoint, IPEndPoint? localEndPoint, DateTimeOffset connectedAt, WsRestPeer peer, TimeSpan shutdownTimeout)
    {
        Id = id;
        Metadata = metadata;
        User = user;
        RemoteEndPoint = remoteEndPoint;
        LocalEndPoint = localEndPoint;
        ConnectedAt = connectedAt;
        Peer = peer;
        ShutdownTimeout = shutdownTimeout;
    }

    /// <summary>The connection id assigned in the handshake: 32 lowercase hex digits (128 random bits).</summary>
    public string Id { get; }

    /// <summary>
    /// The id of the connection this client had before it reconnected, as the client claims it (not
    /// verified, and never used to grant anything: every connection gets a fresh id); null on a first connection.
    /// </summary>
    public string? PreviousConnectionId { get; init; }

    /// <summary>The metadata the client sent in its HELLO.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The principal authenticated on the WebSocket upgrade request; every tunneled request runs as this user.</summary>
    public ClaimsPrincipal User { get; }

    /// <summary>The client's address, as seen on the upgrade request.</summary>
    public IPEndPoint? RemoteEndPoint { get; }

    /// <summary>The server's address the client connected to.</summary>
    public IPEndPoint? LocalEndPoint { get; }

    /// <summary>When the handshake completed.</summary>
    public DateTimeOffset ConnectedAt { get; }

    /// <summary>Number of requests in flight on this connection, both directions.</summary>
    public int ActiveStreams => Peer.ActiveStreamCount;

    /// <summary>
    /// Whether the client serves calls from the server (reverse calls, docs/reverse.md): it announced a
    /// <c>MaxConcurrentStreams</c> above 0 in its HELLO (docs/protocol.md §4.3), as a client does that has a
    /// request handler, mapped endpoints or a tunneled app. Calls into a connection that accepts none fail at once.
    /// </summary>
    public bool AcceptsCalls => Peer.RemoteSettings.MaxConcurrentStreams > 0;

    internal WsRestPeer Peer { get; }

    internal TimeSpan ShutdownTimeout { get; }

    internal WsRestConnectionRegistry Registry { get; init; } = null!;

    /// <summary>Closes the connection gracefully: GOAWAY, requests in flight finish (up to the shutdown timeout), then the WebSocket closes.</summary>
    public Task CloseAsync() => Peer.GoAwayAsync("closed by the server", ShutdownTimeout);

    /// <summary>Closes the connection at once; requests in flight fail.</summary>
    public void Abort() => Peer.Abort(new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "The server aborted the connection."));

    /// <inheritdoc />
    public override string ToString() => $"WsRest connection {Id} from {RemoteEndPoint}";
}
