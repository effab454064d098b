using System.Security.Cryptography;
using System.Text;
using WsRest.Server;

namespace WsRest.Js.TestServer;

/// <summary>The endpoints the Node tests call over WsRest (and, for control, over plain HTTP).</summary>
internal static class TestEndpoints
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    public static void Map(WebApplication app)
    {
        // What arrived: method, path, query, headers and the body as text.
        app.Map("/echo/{**rest}", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            return Results.Json(new
            {
                method = context.Request.Method,
                path = context.Request.Path.Value,
                query = context.Request.QueryString.Value,
                headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
                contentType = context.Request.ContentType,
                body,
                connectionId = context.Features.Get<IWsRestConnectionFeature>()?.Connection.Id,
            });
        });

        // Length and SHA-256 of the request body (uploads).
        app.MapPost("/digest", async (HttpContext context) =>
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[64 * 1024];
            long length = 0;
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                length += read;
            }

            return Results.Json(new { length, sha256 = Convert.ToHexStringLower(sha.GetHashAndReset()) });
        });

        // `size` bytes, byte i = i % 251, written in 64 KiB pieces (a streamed download).
        app.MapGet("/large", async (HttpContext context, long size) =>
        {
            context.Response.ContentType = "application/octet-stream";
            var buffer = new byte[64 * 1024];
            for (long sent = 0; sent < size;)
            {
                var n = (int)Math.Min(buffer.Length, size - sent);
                for (var i = 0; i < n; i++)
                {
                    buffer[i] = (byte)((sent + i) % 251);
                }

                await context.Response.Body.WriteAsync(buffer.AsMemory(0, n), context.RequestAborted);
                sent += n;
            }
        });

        // Waits until the caller cancels (RequestAborted) or 20 s pass; the outcome goes to GET /aborted/{id}.
        app.MapGet("/slow/{id}", async (HttpContext context, string id, AbortLog log) =>
        {
            log.Started(id).TrySetResult();
            try
            {
                await Task.Delay(Patience, context.RequestAborted);
                log.For(id).TrySetResult(false);
                return Results.Text("finished");
            }
            catch (OperationCanceledException)
            {
                log.For(id).TrySetResult(true);
                return Results.Empty;
            }
        });

        app.MapGet("/started/{id}", async (string id, AbortLog log) =>
        {
            await log.Started(id).Task.WaitAsync(Patience);
            return Results.Ok();
        });

        app.MapGet("/aborted/{id}", async (string id, AbortLog log) =>
        {
            var outcome = log.For(id).Task;
            var aborted = await outcome.WaitAsync(Patience);
            return Results.Json(new { aborted });
        });

        // Publishes count JSON events {"n": i} on a topic; returns their sequence numbers.
        app.MapPost("/publish/{**topic}", async (string topic, int? count, IWsRestPublisher publisher) =>
        {
            var sequences = new List<long>();
            for (var i = 1; i <= (count ?? 1); i++)
            {
                sequences.Add(await publisher.PublishAsJsonAsync(topic, new { n = i }));
            }

            return Results.Json(new { sequences });
        });

        // Calls the client on connection `id` (reverse direction) and reports its answer.
        app.MapPost("/call/{id}", async (HttpContext context, string id, WsRestConnectionRegistry registry) =>
        {
            if (!registry.TryGetConnection(id, out var connection))
            {
                return Results.NotFound();
            }

            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            using var http = connection.CreateHttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Post, "/from-server?x=1") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            try
            {
                using var response = await http.SendAsync(request, context.RequestAborted);
                return Results.Json(new
                {
                    status = (int)response.StatusCode,
                    contentType = response.Content.Headers.ContentType?.ToString(),
                    body = await response.Content.ReadAsStringAsync(context.RequestAborted),
                });
            }
            catch (HttpRequestException error)
            {
                return Results.Json(new { status = 0, error = error.Message });
            }
        });

        // Cuts connection `id` off at once (no GOAWAY, no close handshake).
        app.MapPost("/drop/{id}", (string id, WsRestConnectionRegistry registry) =>
        {
            if (!registry.TryGetConnection(id, out var connection))
            {
                return Results.NotFound();
            }

            connection.Abort();
            return Results.Ok();
        });

        app.MapPost("/gate/{mode}", (string mode, UpgradeGate gate) =>
        {
            gate.Refusing = mode == "refuse";
            return Results.Ok();
        });

        app.MapGet("/connections", (WsRestConnectionRegistry registry)
            => Results.Json(registry.Connections.Select(c => new { id = c.Id, metadata = c.Metadata, previous = c.PreviousConnectionId })));

        // The user of the connection (authenticated from HELLO's auth) as every tunneled request sees it.
        app.MapGet("/whoami", (HttpContext context) => Results.Json(new { name = context.User.Identity?.Name }));
    }
}
