using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using PetStore.Api;

namespace PetStore.Demo;

/// <summary>
/// A small hand-written typed client for the PetStore API. It only needs an <see cref="HttpClient"/>
/// with a base address, so it works the same over plain HTTP and over WsRest. Error responses throw
/// <see cref="PetStoreApiException"/> carrying the problem details.
/// </summary>
public sealed class PetStoreClient
{
    private readonly HttpClient _http;

    /// <summary>Creates a client that sends through <paramref name="http"/> (its base address is the API root).</summary>
    public PetStoreClient(HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(http);
        _http = http;
    }

    /// <summary>GET /pets, optionally filtered.</summary>
    public async Task<IReadOnlyList<Pet>> ListPetsAsync(string? status = null, string? tag = null, CancellationToken cancellationToken = default)
    {
        var query = new List<string>(2);
        if (status is not null)
        {
            query.Add("status=" + Uri.EscapeDataString(status));
        }

        if (tag is not null)
        {
            query.Add("tag=" + Uri.EscapeDataString(tag));
        }

        var uri = query.Count == 0 ? "pets" : "pets?" + string.Join('&', query);
        using var response = await _http.GetAsync(new Uri(uri, UriKind.Relative), cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, PetStoreClientJsonContext.Default.ListPet, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>GET /pets/{id}.</summary>
    public async Task<Pet> GetPetAsync(long id, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync(PetUri(id), cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, PetStoreClientJsonContext.Default.Pet, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>POST /pets.</summary>
    public async Task<Pet> CreatePetAsync(PetInput input, CancellationToken cancellationToken = default)
    {
        using var response = await _http.PostAsJsonAsync(new Uri("pets", UriKind.Relative), input, PetStoreClientJsonContext.Default.PetInput, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, PetStoreClientJsonContext.Default.Pet, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>PUT /pets/{id}.</summary>
    public async Task<Pet> UpdatePetAsync(long id, PetInput input, CancellationToken cancellationToken = default)
    {
        using var response = await _http.PutAsJsonAsync(PetUri(id), input, PetStoreClientJsonContext.Default.PetInput, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, PetStoreClientJsonContext.Default.Pet, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>DELETE /pets/{id}.</summary>
    public async Task DeletePetAsync(long id, CancellationToken cancellationToken = default)
    {
        using var response = await _http.DeleteAsync(PetUri(id), cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
    }

    private static Uri PetUri(long id) => new("pets/" + id.ToString(System.Globalization.CultureInfo.InvariantCulture), UriKind.Relative);

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync(typeInfo, cancellationToken).ConfigureAwait(false)
            ?? throw new PetStoreApiException($"The PetStore API answered {(int)response.StatusCode} with an empty body.");
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        ApiProblem? problem = null;
        if (response.Content.Headers.ContentType?.MediaType is "application/problem+json" or "application/json")
        {
            try
            {
                problem = await response.Content.ReadFromJsonAsync(PetStoreClientJsonContext.Default.ApiProblem, cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException)
            {
                // Not a problem details body: report the status code alone.
            }
        }

        throw new PetStoreApiException(response.StatusCode, problem);
    }
}
