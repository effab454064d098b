using System.Net.WebSockets;
using WsRest.Protocol;

namespace WsRest.Engine;

/// <summary>
/// The HELLO → WELCOME → READY exchange (docs/protocol.md §4) for both roles, before a
/// <see cref="WsRestPeer"/> exists. The client and the server run it from here, so the rules both
/// sides check (the version, READY's empty payload) are written once. Frames travel through
/// <see cref="HandshakeChannel"/>; failures are <see cref="WsRestProtocolException"/>s.
/// </summary>
internal static class Handshake
{
    /// <summary>
    /// The side that dialed: sends HELLO, receives WELCOME, sends READY. The caller bounds the time with
    /// <paramref name="cancellationToken"/> and aborts the socket when it fires (the client sends no ERROR).
    /// </summary>
    public static async Task<WelcomeFrame> DialAsync(WebSocket socket, HelloFrame hello, CancellationToken cancellationToken)
    {
        await HandshakeChannel.SendAsync(socket, FrameType.Hello, hello.Write, cancellationToken).ConfigureAwait(false);
        var payload = await HandshakeChannel.ReceiveAsync(socket, FrameType.Welcome, hello.Settings.MaxMessageSize, cancellationToken).ConfigureAwait(false);
        var welcome = WelcomeFrame.Read(payload);
        EnsureVersion(welcome.Version, PeerRole.Client);
        await HandshakeChannel.SendAsync(socket, FrameType.Ready, static _ => { }, cancellationToken).ConfigureAwait(false);
        return welcome;
    }

    /// <summary>
    /// The side that accepted: receives HELLO, answers WELCOME with <paramref name="local"/> settings and
    /// <paramref name="connectionId"/>, receives READY, all within <paramref name="deadline"/>. Returns the
    /// client's HELLO once the handshake is complete and the deadline can no longer fire.
    /// A credential the HELLO carried (wsrest.v1.json's <c>auth</c>, docs/protocol.md §13.4) goes to
    /// <c>authenticate</c> before WELCOME is sent, which throws a <see cref="WsRestProtocolException"/> to refuse it.
    /// </summary>
    public static async Task<HelloFrame> AcceptAsync(HandshakeDeadline deadline, PeerSettings local, byte[] connectionId, int maxMetadataSize, Func<string, Task> authenticate, CancellationToken aborted)
    {
        var socket = deadline.Socket;
        var (payload, credential) = await HandshakeChannel.ReceiveWithCredentialAsync(socket, FrameType.Hello, local.MaxMessageSize, deadline.CreateReceiveToken(aborted)).ConfigureAwait(false);
        var hello = HelloFrame.Read(payload, maxMetadataSize);
        EnsureVersion(hello.Version, PeerRole.Server);
        if (credential is not null)
        {
            await authenticate(credential).ConfigureAwait(false);
        }

        var welcome = new WelcomeFrame(WsRestProtocol.Version, connectionId, local);
        await deadline.SendAsync(FrameType.Welcome, welcome.Write, aborted).ConfigureAwait(false);
        var ready = await HandshakeChannel.ReceiveAsync(socket, FrameType.Ready, local.MaxMessageSize, deadline.CreateReceiveToken(aborted)).ConfigureAwait(false);
        if (ready.Length != 0)
        {
            throw new WsRestProtocolException("Malformed frame: READY carries no payload.");
        }

        if (!deadline.TryComplete())
        {
            throw deadline.TimeoutError;
        }

        return hello;
    }

    /// <summary>Both sides speak exactly <see cref="WsRestProtocol.Version"/>; anything else fails with <see cref="WsRestErrorCode.UnsupportedVersion"/>.</summary>
    private static void EnsureVersion(int remoteVersion, PeerRole self)
    {
        if (remoteVersion != WsRestProtocol.Version)
        {
            var (remote, local) = self == PeerRole.Server ? ("client", "server") : ("server", "client");
            throw new WsRestProtocolException(WsRestErrorCode.UnsupportedVersion, $"The {remote} speaks protocol version {remoteVersion}; this {local} speaks {WsRestProtocol.Version}.");
        }
    }
}
