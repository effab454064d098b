using System.Text.Json.Serialization;

namespace WsRest.Redis;

/// <summary>Source-generated JSON for what the backplane stores in Redis and sends between nodes.</summary>
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[JsonSerializable(typeof(Reverse.RequestHead))]
[JsonSerializable(typeof(Reverse.ResponseHead))]
internal sealed partial class RedisJson : JsonSerializerContext;
