using System.Text.Json;
using System.Text.Json.Serialization;
using PetStore.Api;

namespace PetStore.Demo;

/// <summary>Source-generated System.Text.Json metadata for <see cref="PetStoreClient"/>.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Pet))]
[JsonSerializable(typeof(PetInput))]
[JsonSerializable(typeof(List<Pet>))]
[JsonSerializable(typeof(ApiProblem))]
internal sealed partial class PetStoreClientJsonContext : JsonSerializerContext;
