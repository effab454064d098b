namespace WsRest.Protocol;

/// <summary>The kind of a wsrest.v1 frame (docs/protocol.md §3).</summary>
internal enum FrameType : byte
{
    Hello = 0x01,
    Welcome = 0x02,
    Ready = 0x03,
    Request = 0x04,
    Response = 0x05,
    Data = 0x06,
    Window = 0x07,
    Cancel = 0x08,
    GoAway = 0x09,
    Event = 0x0A,
    Subscribe = 0x0B,
    Unsubscribe = 0x0C,
    Ack = 0x0D,
    Error = 0x0E,
    Ping = 0x0F,
    Pong = 0x10,
}

/// <summary>Frame flags (docs/protocol.md §3.2).</summary>
[Flags]
internal enum FrameFlags : byte
{
    None = 0,

    /// <summary>The sender sends no more body bytes on this stream.</summary>
    EndStream = 0x01,
}
