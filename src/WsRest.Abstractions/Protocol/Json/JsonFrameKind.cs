using System.Text.Json;

namespace WsRest.Protocol.Json;

/// <summary>The values of <c>t</c> (docs/protocol.md §13.4) and the binary frame each stands for.</summary>
internal static class JsonFrameKind
{
    public static ReadOnlySpan<byte> Hello => "hello"u8;

    public static ReadOnlySpan<byte> Welcome => "welcome"u8;

    public static ReadOnlySpan<byte> Ready => "ready"u8;

    public static ReadOnlySpan<byte> Request => "req"u8;

    public static ReadOnlySpan<byte> Response => "res"u8;

    public static ReadOnlySpan<byte> Data => "data"u8;

    public static ReadOnlySpan<byte> Window => "window"u8;

    public static ReadOnlySpan<byte> Cancel => "cancel"u8;

    public static ReadOnlySpan<byte> GoAway => "goaway"u8;

    public static ReadOnlySpan<byte> Error => "error"u8;

    public static ReadOnlySpan<byte> Ping => "ping"u8;

    public static ReadOnlySpan<byte> Pong => "pong"u8;

    public static ReadOnlySpan<byte> Subscribe => "sub"u8;

    public static ReadOnlySpan<byte> Unsubscribe => "unsub"u8;

    public static ReadOnlySpan<byte> Ack => "ack"u8;

    public static ReadOnlySpan<byte> Event => "event"u8;

    public static ReadOnlySpan<byte> Gap => "gap"u8;

    public static ReadOnlySpan<byte> Publish => "pub"u8;

    public static ReadOnlySpan<byte> Epoch => "epoch"u8;

    /// <summary>The frame type and flags a <c>t</c> value names; false for an unknown value.</summary>
    public static bool TryParse(ref Utf8JsonReader reader, out FrameType type, out FrameFlags flags)
    {
        flags = FrameFlags.None;
        type = 0;
        if (reader.ValueTextEquals(Request)) { type = FrameType.Request; }
        else if (reader.ValueTextEquals(Response)) { type = FrameType.Response; }
        else if (reader.ValueTextEquals(Data)) { type = FrameType.Data; }
        else if (reader.ValueTextEquals(Window)) { type = FrameType.Window; }
        else if (reader.ValueTextEquals(Cancel)) { type = FrameType.Cancel; }
        else if (reader.ValueTextEquals(Ping)) { type = FrameType.Ping; }
        else if (reader.ValueTextEquals(Pong)) { type = FrameType.Pong; }
        else if (reader.ValueTextEquals(Event)) { type = FrameType.Event; }
        else if (reader.ValueTextEquals(Gap)) { type = FrameType.Event; flags = PubSubFrames.Gap; }
        else if (reader.ValueTextEquals(Publish)) { type = FrameType.Event; flags = PubSubFrames.Publish; }
        else if (reader.ValueTextEquals(Epoch)) { type = FrameType.Event; flags = PubSubFrames.Epoch; }
        else if (reader.ValueTextEquals(Subscribe)) { type = FrameType.Subscribe; }
        else if (reader.ValueTextEquals(Unsubscribe)) { type = FrameType.Unsubscribe; }
        else if (reader.ValueTextEquals(Ack)) { type = FrameType.Ack; }
        else if (reader.ValueTextEquals(GoAway)) { type = FrameType.GoAway; }
        else if (reader.ValueTextEquals(Error)) { type = FrameType.Error; }
        else if (reader.ValueTextEquals(Hello)) { type = FrameType.Hello; }
        else if (reader.ValueTextEquals(Welcome)) { type = FrameType.Welcome; }
        else if (reader.ValueTextEquals(Ready)) { type = FrameType.Ready; }

        return type != 0;
    }
}
