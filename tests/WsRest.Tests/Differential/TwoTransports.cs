using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Differential;

/// <summary>
/// A started host and one client of each transport to it (plain HTTP, WsRest): what every parity
/// fixture sets up once and disposes once.
/// </summary>
internal sealed class TwoTransports : IAsyncDisposable
{
    private TwoTransports(TestHost host, HttpClient http, HttpClient wsRest)
    {
        Host = host;
        Http = http;
        WsRest = wsRest;
    }

    public TestHost Host { get; }

    public HttpClient Http { get; }

    public HttpClient WsRest { get; }

    /// <summary>The client of <paramref name="transport"/>, as the test cases name it ("HTTP" or "WsRest").</summary>
    public HttpClient this[string transport] => transport == "HTTP" ? Http : WsRest;

    /// <summary>Connects both clients to <paramref name="host"/>, which this then owns.</summary>
    public static async Task<TwoTransports> ConnectAsync(TestHost host)
    {
        var http = host.CreatePlainHttpClient();
        try
        {
            return new TwoTransports(host, http, await host.CreateWsRestHttpClientAsync());
        }
        catch
        {
            http.Dispose();
            await host.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        WsRest.Dispose();
        await Host.DisposeAsync();
    }
}
