namespace WsRest.Load;

/// <summary>Bytes on the wire per small GET at steady state, counted by a <see cref="CountingProxy"/>.</summary>
internal sealed record WireResult(TransportKind Transport, int Requests, long ConnectAndWarmupBytes, long ClientToServer, long ServerToClient, string? Error)
{
    public double UpPerRequest => (double)ClientToServer / Requests;

    public double DownPerRequest => (double)ServerToClient / Requests;

    public double TotalPerRequest => (double)(ClientToServer + ServerToClient) / Requests;
}

internal static class WireMeasurement
{
    private const int WarmupRequests = 200;

    /// <summary>Connects through a fresh proxy, warms up, then counts <paramref name="requests"/> sequential small GETs.</summary>
    public static async Task<WireResult> MeasureAsync(TransportKind kind, int targetPort, int requests)
    {
        var proxy = new CountingProxy(targetPort);
        await using (proxy.ConfigureAwait(false))
        {
            try
            {
                using var connectTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                var transport = await Transports.ConnectAsync(kind, proxy.Port, concurrency: 1, connectTimeout.Token).ConfigureAwait(false);
                await using (transport.ConfigureAwait(false))
                {
                    var requester = transport.CreateRequester(Workload.SmallGet);
                    for (var i = 0; i < WarmupRequests; i++)
                    {
                        await requester.SendAsync().ConfigureAwait(false);
                    }

                    var up0 = proxy.ClientToServer;
                    var down0 = proxy.ServerToClient;
                    for (var i = 0; i < requests; i++)
                    {
                        await requester.SendAsync().ConfigureAwait(false);
                    }

                    return new WireResult(kind, requests, up0 + down0, proxy.ClientToServer - up0, proxy.ServerToClient - down0, null);
                }
            }
            catch (Exception ex)
            {
                return new WireResult(kind, requests, 0, 0, 0, RunResult.Describe(ex, RunPhase.Measure));
            }
        }
    }
}
