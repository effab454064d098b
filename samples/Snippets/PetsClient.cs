using System.Net.Http.Json;

namespace Snippets;

// A typed client, as an app writes one: it takes an HttpClient and knows nothing of WsRest.
#region getting-started.pets-client
public sealed class PetsClient(HttpClient http)
{
    public Task<Pet?> GetAsync(int id, CancellationToken cancellationToken = default)
        => http.GetFromJsonAsync<Pet>($"pets/{id}", cancellationToken);

    public async Task AddAsync(Pet pet, CancellationToken cancellationToken = default)
    {
        using var response = await http.PostAsJsonAsync("pets", pet, cancellationToken);
        response.EnsureSuccessStatusCode();
    }
}
#endregion
