using System.Text.Json;
using System.Text.Json.Serialization;

namespace PetStore.Api;

/// <summary>Source-generated System.Text.Json metadata for the PetStore types and pet events (web defaults: camelCase; numbers only as JSON numbers).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(Pet))]
[JsonSerializable(typeof(PetInput))]
[JsonSerializable(typeof(IReadOnlyList<Pet>))]
[JsonSerializable(typeof(PetDeleted))]
public sealed partial class PetStoreJsonContext : JsonSerializerContext;
