namespace WsRest.Protocol.Json;

/// <summary>String values of §13.4 that name binary enum values.</summary>
internal static class JsonNames
{
    public static ReadOnlySpan<byte> AckKind(AckKind kind) => kind switch
    {
        Protocol.AckKind.Subscribed => "subscribed"u8,
        Protocol.AckKind.Unsubscribed => "unsubscribed"u8,
        Protocol.AckKind.Published => "published"u8,
        _ => "refused"u8,
    };
}
