using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;

namespace WsRest.Load;

/// <summary>The raw endpoints' shared start: a plain request gets 400, an upgrade its WebSocket.</summary>
internal static class RawWebSocketAccept
{
    /// <returns>The accepted WebSocket, or null when the request was not an upgrade (answered with 400).</returns>
    public static async Task<WebSocket?> AcceptAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return null;
        }

        return await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
    }
}
