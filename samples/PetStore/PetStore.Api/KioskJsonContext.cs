using System.Text.Json;
using System.Text.Json.Serialization;

namespace PetStore.Api;

/// <summary>Source-generated System.Text.Json metadata for what the server reads back from kiosks (web defaults: camelCase; numbers only as JSON numbers).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(ConnectedKiosk))]
[JsonSerializable(typeof(IReadOnlyList<ConnectedKiosk>))]
[JsonSerializable(typeof(KioskStatus))]
[JsonSerializable(typeof(KioskDisplayInput))]
[JsonSerializable(typeof(HttpValidationProblemDetails))]
public sealed partial class KioskJsonContext : JsonSerializerContext;
