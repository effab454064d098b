using WsRest.Diagnostics;
using WsRest.Protocol;

namespace WsRest.Engine;

/// <summary>Everything a <see cref="WsRestPeer"/> needs, settled by the handshake.</summary>
internal sealed class PeerOptions
{
    public required PeerRole Role { get; init; }

    /// <summary>What this side announced it accepts.</summary>
    public required PeerSettings Local { get; init; }

    /// <summary>What the remote side announced it accepts.</summary>
    public required PeerSettings Remote { get; init; }

    /// <summary>Features carried beside the streams (pub/sub); each claims its frame types. Empty: those frames are a protocol error.</summary>
    public IReadOnlyList<IPeerExtension> Extensions { get; init; } = [];

    /// <summary>Serves streams the remote opens; null refuses them.</summary>
    public IWsRestStreamHandler? Handler { get; init; }

    /// <summary>
    /// The writer stops adding queued frames to a WebSocket message past this size (docs/protocol.md §3.1).
    /// Room for two DATA frames of each of a few streams: a bulk transfer goes out in few, large writes.
    /// </summary>
    public int BatchSize { get; init; } = 256 * 1024;

    /// <summary>Where this connection records its metrics: the container's <c>IMeterFactory</c> meter, or the shared one.</summary>
    public WsRestMetrics Metrics { get; init; } = WsRestMetrics.Shared;

    /// <summary>Largest body sent inline in a REQUEST/RESPONSE frame (docs/protocol.md §5.3).</summary>
    public int MaxInlineBody { get; init; } = 16 * 1024;

    /// <summary>
    /// Largest DATA frame payload on a <c>wsrest.v1</c> connection (<c>wsrest.v1.json</c> keeps DATA at
    /// <see cref="MaxInlineBody"/>). Most of a large body's cost is per frame (a credit take, a queue
    /// slot, a pipe flush that wakes the reader), so larger frames make bulk transfers cheaper
    /// (docs/benchmarks.md, "Larger DATA frames and fewer allocations, issue 17").
    /// </summary>
    public int MaxDataFrame { get; init; } = 64 * 1024;

    /// <summary>How long to wait for the peer's close reply after sending ours.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Silence after which this side sends a PING; <see cref="TimeSpan.Zero"/> turns the application
    /// heartbeat off (docs/protocol.md §6.4).
    /// </summary>
    public TimeSpan HeartbeatInterval { get; init; }

    /// <summary>How long a PING may go unanswered (with nothing else arriving) before the peer is declared dead.</summary>
    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A write the peer does not take within this time cuts the connection off (a peer that stopped reading).</summary>
    public TimeSpan SendTimeout { get; init; } = Timeout.InfiniteTimeSpan;

    /// <summary>
    /// The write queue's bound: memory (payload arrays and slots) that frames waiting for the remote may
    /// hold; queueing past it aborts the connection (issue 19). What passes <see cref="PauseReadingAbove"/>
    /// is only what was already under way when reading stopped: at most two DATA frames per stream
    /// (<see cref="WsRestPeer.QueuedDataPerStream"/>), the heads of handlers still running, and up to
    /// 64 pub/sub frames.
    /// </summary>
    public long MaxQueuedBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>
    /// Past this many queued bytes the read loop waits for the writer to drain half of them before it
    /// reads the remote's next message (back-pressure). Above the default connection window (1 MiB), so
    /// DATA sent within default windows does not pause reading by itself.
    /// </summary>
    public long PauseReadingAbove { get; init; } = 2 * 1024 * 1024;

    /// <summary>Most replies the remote's own frames provoked (PONG, refusing CANCEL) that may wait at once; more fail the connection with EnhanceYourCalm.</summary>
    public int MaxQueuedReplies { get; init; } = 1024;

    /// <summary>Most headers accepted in one incoming request or response head; more reset that stream (see <see cref="AnswerOversizeRequests"/>).</summary>
    public int MaxHeaderCount { get; init; } = 100;

    /// <summary>
    /// A REQUEST whose head is over <see cref="PeerSettings.MaxHeaderListSize"/> or <see cref="MaxHeaderCount"/>
    /// still goes to <see cref="Handler"/>, marked <see cref="RequestHead.HeadersTooLarge"/>, which answers it
    /// without running the request (the server: 414 or 431, as Kestrel), instead of the engine resetting the
    /// stream (issue 13: a generated client sees a reset as a transport failure, a 431 as what it is).
    /// </summary>
    public bool AnswerOversizeRequests { get; init; }

    /// <summary>Used for the close timeout and the heartbeat; tests replace it.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Text for exceptions: who the remote is ("server", "client 1f3a...").</summary>
    public string RemoteName { get; init; } = "peer";
}
