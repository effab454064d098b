using System.Net;
using System.Text;
using WsRest.Client;

namespace WsRest.Load;

/// <summary>What one GET /small looks like on each HTTP transport (explains the wire byte counts).</summary>
internal static class HeaderProbe
{
    public static async Task<string> DescribeAsync(TransportKind kind, int port)
    {
        WsRestClient? connection = null;
        try
        {
            HttpMessageHandler handler;
            var version = HttpVersion.Version11;
            if (kind is TransportKind.WsRest or TransportKind.WsRestDeflate or TransportKind.WsRestJson)
            {
                connection = new WsRestClient(HttpTransport.CreateWsRestOptions(port, kind));
                handler = new WebSocketMessageHandler(connection);
            }
            else
            {
                handler = new SocketsHttpHandler { UseProxy = false, UseCookies = false };
                version = kind == TransportKind.Http2 ? HttpVersion.Version20 : HttpVersion.Version11;
            }

            using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/small") { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            using var response = await client.SendAsync(request).ConfigureAwait(false);
            var text = new StringBuilder();
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{Transports.Name(kind)}: HTTP/{response.Version} {(int)response.StatusCode};");
            foreach (var header in response.Headers.NonValidated.Concat(response.Content.Headers.NonValidated))
            {
                text.Append(' ').Append(header.Key).Append(": ").Append(header.Value.ToString()).Append(';');
            }

            return text.ToString();
        }
        catch (Exception ex)
        {
            return $"{Transports.Name(kind)}: probe failed: {RunResult.Describe(ex, RunPhase.Measure)}";
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
