using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;
using WsRest.Server;

namespace WsRest.Redis.Registry;

/// <summary>A connection's Redis hash: <c>node</c>, <c>user</c>, <c>at</c> (Unix milliseconds), <c>meta</c> (JSON object).</summary>
internal static class ConnectionRecord
{
    public static HashEntry[] ToHash(WsRestConnection connection, string node) =>
    [
        new("node", node),
        new("user", connection.User.Identity?.Name ?? string.Empty),
        new("at", connection.ConnectedAt.ToUnixTimeMilliseconds()),
        new("meta", JsonSerializer.Serialize(connection.Metadata, RedisJson.Default.IReadOnlyDictionaryStringString)),
    ];

    public static WsRestClusterConnection? FromHash(string id, HashEntry[] hash)
    {
        if (hash.Length == 0)
        {
            return null;
        }

        string node = string.Empty, user = string.Empty, meta = "{}";
        long at = 0;
        foreach (var entry in hash)
        {
            switch ((string?)entry.Name)
            {
                case "node":
                    node = (string?)entry.Value ?? string.Empty;
                    break;
                case "user":
                    user = (string?)entry.Value ?? string.Empty;
                    break;
                case "at":
                    at = long.Parse((string)entry.Value!, CultureInfo.InvariantCulture);
                    break;
                case "meta":
                    meta = (string?)entry.Value ?? "{}";
                    break;
            }
        }

        var metadata = JsonSerializer.Deserialize(meta, RedisJson.Default.IReadOnlyDictionaryStringString) ?? new Dictionary<string, string>();
        return new WsRestClusterConnection(id, node, metadata, user.Length == 0 ? null : user, DateTimeOffset.FromUnixTimeMilliseconds(at));
    }
}
