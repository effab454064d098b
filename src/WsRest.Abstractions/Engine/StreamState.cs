namespace WsRest.Engine;

/// <summary>
/// Where a stream is in its life (docs/protocol.md §3.3). Flags only ever get set, each once, by a
/// compare-and-swap on the stream's state word, so any thread may read a consistent snapshot.
/// </summary>
[Flags]
internal enum StreamState
{
    None = 0,

    /// <summary>This side sent its REQUEST or RESPONSE head.</summary>
    HeadSent = 1,

    /// <summary>This side sent END (inline with the head, or on the last DATA).</summary>
    EndSent = 2,

    /// <summary>The peer's head arrived.</summary>
    HeadReceived = 4,

    /// <summary>The peer's END arrived.</summary>
    EndReceived = 8,

    /// <summary>CANCEL went either way, or the connection was lost: nothing more is sent or received.</summary>
    Reset = 16,

    /// <summary>The stream left the peer's table (it no longer counts against the concurrency limit).</summary>
    Removed = 32,

    /// <summary>END went both ways: the exchange is complete.</summary>
    Complete = EndSent | EndReceived,
}
