using Microsoft.Extensions.DependencyInjection;
using PetStore.Client;
using PetStore.Demo;
using WsRest.Client;

namespace PetStore.Tests;

/// <summary>The generated client registered as a typed client with <c>IHttpClientFactory</c>: over WsRest with <c>AddWebSocketTransport</c>, or over plain HTTP without it.</summary>
[TestFixture]
public sealed class GeneratedClientDependencyInjectionTests
{
    [Test]
    public async Task TheDemosRegistrationSendsOverOneWsRestConnection()
    {
        await using var services = new ServiceCollection().AddPetStoreClient(PetStoreServer.WsRestEndpoint).BuildServiceProvider();
        using var timeout = TestTimeout.Create();

        var first = services.GetRequiredService<IPetStoreClient>();
        var second = services.GetRequiredService<IPetStoreClient>();
        var list = first.ListPetsAsync(cancellationToken: timeout.Token);
        var rex = second.GetPetAsync(1, timeout.Token);
        await Task.WhenAll(list, rex);

        var connection = services.GetRequiredService<IWsRestClientProvider>().GetClient(PetStoreServices.ConnectionName);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.Not.SameAs(second), "typed clients are transient");
            Assert.That((await list).Select(p => p.Name), Does.Contain("Rex"));
            Assert.That((await rex).Name, Is.EqualTo("Rex"));
            Assert.That(connection.State, Is.EqualTo(WsRestConnectionState.Connected));
            Assert.That(services.GetRequiredService<IWsRestClientProvider>().GetClientForHttpClient(nameof(IPetStoreClient)), Is.SameAs(connection));
        }
    }

    [Test]
    public async Task TheSameRegistrationWithoutTheTransportSendsOverPlainHttp()
    {
        var collection = new ServiceCollection();
        collection.AddHttpClient<IPetStoreClient, PetStoreClient>(http => http.BaseAddress = PetStoreServer.BaseAddress);
        await using var services = collection.BuildServiceProvider();
        using var timeout = TestTimeout.Create();

        var pet = await services.GetRequiredService<IPetStoreClient>().GetPetAsync(1, timeout.Token);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(pet.Name, Is.EqualTo("Rex"));
            Assert.That(services.GetService<IWsRestClientProvider>(), Is.Null, "no WsRest services without AddWebSocketTransport");
        }
    }
}
