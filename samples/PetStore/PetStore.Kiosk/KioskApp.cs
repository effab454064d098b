using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using WsRest.Client;

namespace PetStore.Kiosk;

/// <summary>
/// Builds the store kiosk: an ASP.NET Core app with no listening port. It dials the PetStore server's
/// WsRest endpoint once (<c>UseWsRestTunnel</c>) and serves its API over that socket, so the server can
/// call it although the kiosk sits behind NAT. The standalone program, the demo and the tests all start
/// it through this class.
/// </summary>
public static class KioskApp
{
    /// <summary>The PetStore server's WsRest endpoint when the standalone program is given no <c>--url</c>.</summary>
    public const string DefaultEndpoint = "ws://127.0.0.1:5080/wsrest";

    /// <summary>The kiosk's name when the standalone program is given no <c>--name</c>.</summary>
    public const string DefaultName = "front-door";

    /// <summary>The handshake metadata key that says what a connection is; a kiosk sends <see cref="Role"/>.</summary>
    public const string RoleKey = "role";

    /// <summary>The value of <see cref="RoleKey"/> that marks a connection as a kiosk.</summary>
    public const string Role = "kiosk";

    /// <summary>The handshake metadata key that carries the kiosk's name.</summary>
    public const string NameKey = "name";

    /// <summary>
    /// The only caller that may change the display: the name the PetStore server stamps on its calls
    /// (<c>WsRestServerOptions.ServerName</c>).
    /// </summary>
    public const string TrustedCaller = "petstore";

    /// <summary>The authorization policy of <c>PUT /display</c>: the caller is <see cref="TrustedCaller"/>.</summary>
    public const string ServerPolicy = "petstore-server";

    /// <summary>The longest text the screen shows; longer text is refused (400).</summary>
    public const int MaxDisplayLength = 200;

    /// <summary>The longest kiosk name.</summary>
    public const int MaxNameLength = 100;

    /// <summary>What the screen shows until the server sets it.</summary>
    public const string InitialScreen = "Welcome to the PetStore!";

    /// <summary>
    /// Creates a builder with the kiosk's services registered: the tunnel to <paramref name="wsEndpoint"/>
    /// (announcing <see cref="RoleKey"/>=<see cref="Role"/> and <see cref="NameKey"/>=<paramref name="name"/>),
    /// caller authentication and the <see cref="ServerPolicy"/> policy.
    /// </summary>
    /// <param name="args">Host arguments (configuration), usually none.</param>
    /// <param name="wsEndpoint">The PetStore server's WsRest endpoint, e.g. <c>ws://127.0.0.1:5080/wsrest</c>.</param>
    /// <param name="name">The kiosk's name (1 to <see cref="MaxNameLength"/> characters).</param>
    public static WebApplicationBuilder CreateBuilder(string[] args, Uri wsEndpoint, string name)
    {
        ArgumentNullException.ThrowIfNull(wsEndpoint);
        ValidateName(name);
        if (!wsEndpoint.IsAbsoluteUri || (wsEndpoint.Scheme != "ws" && wsEndpoint.Scheme != "wss"))
        {
            throw new ArgumentException($"The endpoint must be an absolute ws:// or wss:// URI; got '{wsEndpoint}'.", nameof(wsEndpoint));
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(KioskApp).Assembly.GetName().Name,
        });

        // No Kestrel: the app listens through the connection it dials.
        builder.WebHost.UseWsRestTunnel(o =>
        {
            o.Endpoint = wsEndpoint;
            o.Metadata[RoleKey] = Role;
            o.Metadata[NameKey] = name;
        });
        builder.Services.AddSingleton(new KioskScreen(name, TimeProvider.System));
        builder.Services.AddProblemDetails();
        builder.Services.AddAuthentication(WsRestTunnelAuthenticationBuilderExtensions.SchemeName).AddWsRestTunnelCaller();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ServerPolicy, policy => policy.RequireAuthenticatedUser().RequireUserName(TrustedCaller));
        return builder;
    }

    /// <summary>Builds the kiosk from <paramref name="builder"/> and maps its middleware and endpoints.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapGet("/status", GetStatus);
        app.MapPut("/display", SetDisplayAsync).RequireAuthorization(ServerPolicy);
        return app;
    }

    /// <summary>
    /// Builds and starts a kiosk named <paramref name="name"/> that dials <paramref name="wsEndpoint"/>.
    /// Returns once the connection is up (the server lists it a moment later); stop it with
    /// <c>StopAsync</c> and dispose it, which closes the connection.
    /// </summary>
    /// <exception cref="HttpRequestException">The server could not be reached or refused the connection.</exception>
    public static Task<WebApplication> StartAsync(Uri wsEndpoint, string name, CancellationToken cancellationToken = default)
        => StartAsync(wsEndpoint, name, configure: null, cancellationToken);

    /// <summary>As <see cref="StartAsync(Uri, string, CancellationToken)"/>, adjusting the builder (logging, services) before the app is built.</summary>
    public static async Task<WebApplication> StartAsync(Uri wsEndpoint, string name, Action<WebApplicationBuilder>? configure, CancellationToken cancellationToken = default)
    {
        var builder = CreateBuilder([], wsEndpoint, name);
        configure?.Invoke(builder);
        var app = Build(builder);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            return app;
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The id of the kiosk's WsRest connection now, as the server's registry and <c>GET /kiosks</c> list it.</summary>
    /// <exception cref="InvalidOperationException">The kiosk is not connected.</exception>
    public static string GetConnectionId(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Services.GetRequiredService<WsRestClient>().ConnectionId
            ?? throw new InvalidOperationException("The kiosk is not connected; start it first.");
    }

    private static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Length > MaxNameLength)
        {
            throw new ArgumentException($"The kiosk name must be at most {MaxNameLength} characters long.", nameof(name));
        }
    }

    private static Ok<KioskStatus> GetStatus(KioskScreen screen, HttpContext context)
        => TypedResults.Ok(new KioskStatus(
            screen.Name,
            screen.Text,
            Math.Round(screen.Uptime.TotalSeconds, 3),
            context.User.Identity?.Name ?? "anonymous"));

    /// <summary>Shows the request body (plain text, at most <see cref="MaxDisplayLength"/> characters) on the screen.</summary>
    private static async Task<IResult> SetDisplayAsync(KioskScreen screen, HttpRequest request, CancellationToken cancellationToken)
    {
        // Reads at most one character past the limit: a huge body is refused without buffering it.
        var buffer = new char[MaxDisplayLength + 1];
        int length;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true))
        {
            length = await reader.ReadBlockAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
        }

        if (length > MaxDisplayLength)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["text"] = [$"The text must be at most {MaxDisplayLength} characters long."] },
                title: "The kiosk cannot show this text.");
        }

        screen.Text = new string(buffer, 0, length);
        return TypedResults.NoContent();
    }
}
