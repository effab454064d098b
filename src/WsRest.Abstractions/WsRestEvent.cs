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

    /// <summary>
    /// The topic's numbering restarted (a server restart, a backplane that lost its counters): the
    /// following events belong to the new <see cref="WsRestEvent.Epoch"/> and are numbered from 1 again.
    /// Events of the old epoch that were not delivered before it are not reported. Carries no data.
    /// </summary>
    Reset,
}

/// <summary>One delivery to a subscription handler (docs/pubsub.md).</summary>
public sealed class WsRestEvent
{
    internal WsRestEvent(string topic, long sequence, string contentType, ReadOnlyMemory<byte> data, long epoch = 0)
    {
        Topic = topic;
        Sequence = sequence;
        ContentType = contentType;
        Data = data;
        Epoch = epoch;
    }

    internal WsRestEvent(string topic, long gapFrom, long gapTo, long epoch = 0)
    {
        Topic = topic;
        Kind = WsRestEventKind.Gap;
        Sequence = gapTo;
        GapFrom = gapFrom;
        GapTo = gapTo;
        ContentType = string.Empty;
        Epoch = epoch;
    }

    private WsRestEvent(string topic, long epoch)
    {
        Topic = topic;
        Kind = WsRestEventKind.Reset;
        ContentType = string.Empty;
        Epoch = epoch;
    }

    /// <summary>The notice that the topic's numbering restarted in <paramref name="epoch"/>.</summary>
    internal static WsRestEvent Reset(string topic, long epoch) => new(topic, epoch);

    /// <summary>Event or gap notice.</summary>
    public WsRestEventKind Kind { get; }

    /// <summary>The topic.</summary>
    public string Topic { get; }

    /// <summary>
    /// The epoch of the topic's numbering <see cref="Sequence"/> belongs to (1 .. 2^53 − 1): it changes only
    /// when the numbering restarts, so (<see cref="Epoch"/>, <see cref="Sequence"/>) names one event for
    /// good, across server restarts. 0 when the server does not announce epochs (an older server, or an
    /// event bus without them).
    /// </summary>
    public long Epoch { get; }

    /// <summary>The event's sequence number in its topic (1, 2, 3, ... within its <see cref="Epoch"/>); for a gap, its last missing sequence; 0 for a reset.</summary>
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

    /// <summary>
    /// Deserializes the payload with reflection-based options. Without <paramref name="options"/> it uses
    /// the web defaults (<see cref="JsonSerializerOptions.Web"/>: camelCase names, case-insensitive
    /// matching, numbers from strings), the same defaults the publishers serialize with and
    /// <c>System.Net.Http.Json</c>'s <c>GetFromJsonAsync</c> reads with, so a PascalCase type published
    /// without options reads back whole.
    /// </summary>
    public T? GetFromJson<T>(JsonSerializerOptions? options = null) => JsonSerializer.Deserialize<T>(Data.Span, options ?? JsonSerializerOptions.Web);

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        WsRestEventKind.Gap => $"{Topic} gap {GapFrom}..{GapTo}",
        WsRestEventKind.Reset => $"{Topic} reset to epoch {Epoch}",
        _ => $"{Topic} #{Sequence} ({ContentType}, {Data.Length} bytes)",
    };
}
