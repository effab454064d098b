using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace WsRest.Soak;

/// <summary>The endpoints the soak's requests call; each answer lets the client check it got its own answer whole.</summary>
internal static class SoakApp
{
    public const string PostIdHeader = "x-soak-id";

    public static void Map(WebApplication app, PostLedger ledger)
    {
        // Small GET: the number comes back, so a mixed-up response is visible.
        app.MapGet("/items/{n:int}", (int n) => Results.Text(n.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        // Large streamed GET: deterministic bytes the client recomputes.
        app.MapGet("/blob/{size:int}", async (int size, HttpContext context) =>
        {
            context.Response.ContentType = "application/octet-stream";
            var body = Blob(size);
            for (var offset = 0; offset < body.Length; offset += 16 * 1024)
            {
                await context.Response.Body.WriteAsync(body.AsMemory(offset, Math.Min(16 * 1024, body.Length - offset)), context.RequestAborted);
            }
        });

        // A request that takes a while, so GOAWAY and faults find requests in flight.
        app.MapGet("/slow/{ms:int}", async (int ms, HttpContext context) =>
        {
            await Task.Delay(ms, context.RequestAborted);
            return Results.Text("slow");
        });

        // Non-idempotent: executes once per call, recorded by the client's id. The body is read whole
        // first, so only a complete request counts as executed; the answer is the body's hash.
        app.MapPost("/orders", async (HttpContext context) =>
        {
            var id = context.Request.Headers[PostIdHeader].ToString();
            if (id.Length == 0)
            {
                return Results.BadRequest("no id");
            }

            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            ledger.Record(id);
            return Results.Text(Convert.ToHexString(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length))), statusCode: StatusCodes.Status201Created);
        });
    }

    /// <summary>The body of <c>/blob/{size}</c>.</summary>
    public static byte[] Blob(int size)
    {
        var body = new byte[size];
        for (var i = 0; i < body.Length; i++)
        {
            body[i] = (byte)(i * 31 + (i >> 8));
        }

        return body;
    }
}
