using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace WsRest;

/// <summary>What a subscription handler receives: an event, or a notice that events were lost.</summary>
public enum WsRestEventKind
{
    /// <summary>An event published on the topic.</summary>
    Event,

    /// <summary>Events <see cref="WsRestEvent.GapFrom"/>..<see cref="WsRestEvent.GapTo"/> were lost (slow subscriber, or beyond the replay buffer after a reconnect).</summary>
    Gap,
}

/// <summary>One delivery to a subscription handler (docs/pubsub.md).</summary>
public sealed class WsRestEvent
{
    internal WsRestEvent(string topic, long sequence, string contentType, ReadOnlyMemory<byte> data)
    {
        Topic = topic;
        Sequence = sequence;
        ContentType = contentType;
        Data = data;
    }

    internal WsRestEvent(string topic, long gapFrom, long gapTo)
    {
        Topic = topic;
        Kind = WsRestEventKind.Gap;
        Sequence = gapTo;
        GapFrom = gapFrom;
        GapTo = gapTo;
        ContentType = string.Empty;
    }

    /// <summary>Event or gap notice.</summary>
    public WsRestEventKind Kind { get; }

    /// <summary>The topic.</summary>
    public string Topic { get; }

    /// <summary>The event's sequence number in its topic (1, 2, 3, ...); for a gap, its last missing sequence.</summary>
    public long Sequence { get; }

    /// <summary>The payload's content type, e.g. <c>application/json</c>.</summary>
    public string ContentType { get; }

    /// <summary>The payload. Valid only during the handler call; copy it to keep it.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>For a gap: the first missing sequence.</summary>
    public long GapFrom { get; }

    /// <summary>For a gap: the last missing sequence.</summary>
    public long GapTo { get; }

    /// <summary>Deserializes the payload (source-generator friendly).</summary>
    public T? GetFromJson<T>(JsonTypeInfo<T> typeInfo) => JsonSerializer.Deserialize(Data.Span, typeInfo);

    /// <summary>Deserializes the payload with reflection-based options.</summary>
    public T? GetFromJson<T>(JsonSerializerOptions? options = null) => JsonSerializer.Deserialize<T>(Data.Span, options);

    /// <inheritdoc />
    public override string ToString() => Kind == WsRestEventKind.Gap ? $"{Topic} gap {GapFrom}..{GapTo}" : $"{Topic} #{Sequence} ({ContentType}, {Data.Length} bytes)";
}
