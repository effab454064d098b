using System.Net.Http.Json;
using PetStore.Api;
using WsRest.Client;

namespace PetStore.Browser.Tests.Pages;

/// <summary>Another client of the same server, in .NET: the generated-client-free way (HttpClient + JSON), over WsRest or plain HTTP.</summary>
internal sealed class ApiClient : IAsyncDisposable
{
    private readonly WsRestClient? _connection;

    private ApiClient(HttpClient http, WsRestClient? connection)
    {
        Http = http;
        _connection = connection;
    }

    public HttpClient Http { get; }

    /// <summary>A client over its own WsRest connection (the .NET <see cref="WsRestClient"/>).</summary>
    public static async Task<ApiClient> ConnectWsRestAsync(CancellationToken cancellationToken)
    {
        var connection = new WsRestClient(new WsRestClientOptions { Endpoint = WebServer.WsRestEndpoint });
        await connection.ConnectAsync(cancellationToken);
        return new ApiClient(new HttpClient(new WebSocketMessageHandler(connection)) { BaseAddress = WebServer.BaseAddress, Timeout = TestTimeout.Value }, connection);
    }

    /// <summary>A client over plain HTTP.</summary>
    public static ApiClient CreateHttp()
        => new(new HttpClient { BaseAddress = WebServer.BaseAddress, Timeout = TestTimeout.Value }, null);

    public async Task<Pet> CreateAsync(string name, string status, params string[] tags)
    {
        using var response = await Http.PostAsJsonAsync("pets", new PetInput { Name = name, Status = status, Tags = tags }, PetStoreJsonContext.Default.PetInput);
        Assert.That((int)response.StatusCode, Is.EqualTo(201), $"POST /pets {name}");
        return (await response.Content.ReadFromJsonAsync(PetStoreJsonContext.Default.Pet))!;
    }

    public async Task<Pet> UpdateAsync(Pet pet, string status)
    {
        using var response = await Http.PutAsJsonAsync($"pets/{pet.Id}", new PetInput { Name = pet.Name, Status = status, Tags = pet.Tags }, PetStoreJsonContext.Default.PetInput);
        Assert.That((int)response.StatusCode, Is.EqualTo(200), $"PUT /pets/{pet.Id}");
        return (await response.Content.ReadFromJsonAsync(PetStoreJsonContext.Default.Pet))!;
    }

    public async Task DeleteAsync(long id)
    {
        using var response = await Http.DeleteAsync($"pets/{id}");
        Assert.That((int)response.StatusCode, Is.EqualTo(204), $"DELETE /pets/{id}");
    }

    public async Task<IReadOnlyList<Pet>> ListAsync()
        => (await Http.GetFromJsonAsync("pets", PetStoreJsonContext.Default.IReadOnlyListPet))!;

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }
}
