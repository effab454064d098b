namespace WsRest.Js.TestServer;

/// <summary>
/// Lets a test make the server refuse WebSocket upgrades with 403 (POST /gate/refuse), the way an
/// expired login would, to check that the client stops reconnecting on a refusal.
/// </summary>
internal sealed class UpgradeGate
{
    private volatile bool _refusing;

    public bool Refusing
    {
        get => _refusing;
        set => _refusing = value;
    }

    public static async Task Middleware(HttpContext context, Func<Task> next)
    {
        var gate = context.RequestServices.GetRequiredService<UpgradeGate>();
        if (gate.Refusing && context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        await next();
    }
}
