using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace WsRest.Tests.Differential;

/// <summary>
/// The app the differential suite runs twice: once reached over plain HTTP/1.1 (Kestrel) and once
/// over WsRest. It exercises MVC controllers, minimal APIs, custom middleware, exception handling,
/// status code pages and authentication/authorization, so every layer of the pipeline has a chance
/// to see a difference between the two transports.
/// </summary>
public static class DifferentialApp
{
    /// <summary>Header the test authentication handler reads the user name from.</summary>
    public const string UserHeader = "X-Test-User";

    /// <summary>Header the custom middleware adds to every response (through OnStarting).</summary>
    public const string MiddlewareHeader = "X-Differential-Pipeline";

    /// <summary>Authentication scheme of <see cref="DifferentialAuthHandler"/>.</summary>
    public const string Scheme = "DifferentialTest";

    /// <summary>Request headers the echo endpoints leave out: they frame one HTTP/1.1 hop, not the request (see DifferentialTests).</summary>
    private static readonly HashSet<string> TransportRequestHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Transfer-Encoding", "Connection", "Keep-Alive",
    };

    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Gates = new(StringComparer.Ordinal);

    /// <summary>Opens the gate a <c>/min/gated/{id}</c> response waits on between its two chunks.</summary>
    public static void OpenGate(string id) => GetGate(id).TrySetResult();

    /// <summary>Deterministic body bytes, so both transports can be compared with a generated body.</summary>
    public static byte[] CreatePayload(int length, int seed = 0)
    {
        var bytes = new byte[length];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)((i * 31) + (i >> 9) + seed);
        }

        return bytes;
    }

    /// <summary>The <c>configureBuilder</c> callback of <see cref="Infrastructure.TestHost.StartAsync"/>.</summary>
    public static void ConfigureBuilder(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddProblemDetails();
        builder.Services.AddAuthentication(Scheme)
            .AddScheme<AuthenticationSchemeOptions, DifferentialAuthHandler>(Scheme, configureOptions: null);
        builder.Services.AddAuthorization();
        builder.Services.AddControllers()
            .ConfigureApplicationPartManager(manager =>
            {
                // The test assembly may hold other suites' controllers: discover only this suite's.
                manager.ApplicationParts.Add(new AssemblyPart(typeof(DifferentialItemsController).Assembly));
                foreach (var provider in manager.FeatureProviders.OfType<ControllerFeatureProvider>().ToList())
                {
                    manager.FeatureProviders.Remove(provider);
                }

                manager.FeatureProviders.Add(new DifferentialControllerFeatureProvider());
            });
    }

    /// <summary>The <c>map</c> callback of <see cref="Infrastructure.TestHost.StartAsync"/>: middleware and endpoints.</summary>
    public static void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(CustomMiddlewareAsync);
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapControllers();
        MapMinimalApis(app);
        MapEchoEndpoints(app);
    }

    private static async Task CustomMiddlewareAsync(HttpContext context, RequestDelegate next)
    {
        context.Response.OnStarting(static state =>
        {
            var response = (HttpResponse)state;
            response.Headers[MiddlewareHeader] = "custom-middleware";
            return Task.CompletedTask;
        }, context.Response);

        if (context.Request.Path.StartsWithSegments("/short-circuit", StringComparison.Ordinal))
        {
            context.Response.StatusCode = StatusCodes.Status418ImATeapot;
            context.Response.ContentType = "text/plain; charset=utf-8";
            context.Response.Headers["X-Short-Circuit"] = context.Request.Path.Value;
            await context.Response.WriteAsync("short-circuited by middleware", context.RequestAborted);
            return;
        }

        await next(context);
    }

    private static void MapMinimalApis(WebApplication app)
    {
        var items = app.MapGroup("/min/items");

        items.MapGet("/{id:int}/{name}", (int id, string name, string[] tags, int? page, HttpContext context) =>
            Results.Ok(new { id, name, tags, page, path = context.Request.Path.Value, query = context.Request.QueryString.Value }));

        items.MapPost("/", (MinimalItem item) =>
        {
            if (string.IsNullOrWhiteSpace(item.Name) || item.Quantity < 1)
            {
                var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
                if (string.IsNullOrWhiteSpace(item.Name))
                {
                    errors["name"] = ["The name is required."];
                }

                if (item.Quantity < 1)
                {
                    errors["quantity"] = ["The quantity must be at least 1."];
                }

                return Results.ValidationProblem(errors);
            }

            return Results.Created($"/min/items/{item.Id}", item with { Name = item.Name.Trim() });
        });

        items.MapPut("/{id:int}", (int id, MinimalItem item) => Results.Ok(new { id, item, replaced = true }));

        items.MapPatch("/{id:int}", async (int id, HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var patch = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
            return Results.Text($"patched {id} with {patch.Length} chars: {patch}", "text/plain", System.Text.Encoding.UTF8);
        });

        items.MapDelete("/{id:int}", (int id) => id == 404 ? Results.NotFound() : Results.NoContent());

        items.MapMethods("/{id:int}", [HttpMethods.Head], (int id, HttpResponse response) =>
        {
            response.Headers["X-Item-Id"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            response.ContentType = "application/json; charset=utf-8";
            response.ContentLength = 27;
            return Results.Empty;
        });

        items.MapMethods("/", [HttpMethods.Options], (HttpResponse response) =>
        {
            response.Headers.Allow = "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS";
            response.Headers["X-Options"] = new StringValues(["first", "second"]);
            return Results.Ok();
        });

        app.MapMethods("/min/purge/{key}", ["PURGE"], (string key) => Results.Text($"purged {key}"));

        app.MapGet("/min/headers", (HttpResponse response) =>
        {
            response.Cookies.Append("session", "abc123", new CookieOptions { Path = "/", HttpOnly = true });
            response.Cookies.Append("theme", "dark mode", new CookieOptions { Path = "/min", SameSite = SameSiteMode.Strict });
            response.Headers["X-Multi"] = new StringValues(["one", "two"]);
            response.Headers["X-Comma"] = "a, b, c";
            response.Headers.CacheControl = new StringValues(["no-cache", "no-store"]);
            response.Headers.ContentLanguage = new StringValues(["en", "de"]);
            response.Headers.ETag = "\"v1\"";
            response.Headers.Vary = "Accept, Accept-Language";
            return Results.Text("headers", "text/plain");
        });

        app.MapGet("/min/empty-header", (HttpResponse response) =>
        {
            response.Headers["X-Empty"] = string.Empty;
            return Results.Text("an empty header value", "text/plain");
        });

        app.MapGet("/min/etag", (HttpRequest request, HttpResponse response) =>
        {
            response.Headers.ETag = "\"v7\"";
            response.Headers.CacheControl = "max-age=60";
            return request.Headers.IfNoneMatch == "\"v7\"" ? Results.StatusCode(StatusCodes.Status304NotModified) : Results.Text("fresh", "text/plain");
        });

        app.MapGet("/min/stream", async (HttpResponse response, int chunks, int size) =>
        {
            response.ContentType = "application/octet-stream";
            response.Headers["X-Chunks"] = chunks.ToString(System.Globalization.CultureInfo.InvariantCulture);
            for (var i = 0; i < chunks; i++)
            {
                await response.Body.WriteAsync(CreatePayload(size, seed: i), response.HttpContext.RequestAborted);
                await response.Body.FlushAsync(response.HttpContext.RequestAborted);
            }
        });

        app.MapGet("/min/pipe-stream", async (HttpResponse response) =>
        {
            response.ContentType = "text/plain; charset=utf-8";
            for (var i = 0; i < 4; i++)
            {
                await response.BodyWriter.WriteAsync(System.Text.Encoding.UTF8.GetBytes($"line {i} through the PipeWriter\n"), response.HttpContext.RequestAborted);
            }

            await response.BodyWriter.FlushAsync(response.HttpContext.RequestAborted);
            await response.WriteAsync("last line after a flush\n", response.HttpContext.RequestAborted);
        });

        app.MapGet("/min/gated/{id}", async (string id, HttpResponse response) =>
        {
            response.ContentType = "text/plain; charset=utf-8";
            await response.WriteAsync("first\n", response.HttpContext.RequestAborted);
            await response.Body.FlushAsync(response.HttpContext.RequestAborted);
            await GetGate(id).Task.WaitAsync(TimeSpan.FromSeconds(60), response.HttpContext.RequestAborted);
            await response.WriteAsync("second\n", response.HttpContext.RequestAborted);
        });

        app.MapGet("/min/bytes", async (HttpResponse response, int size, bool known) =>
        {
            var payload = CreatePayload(size, seed: 7);
            response.ContentType = "application/octet-stream";
            if (known)
            {
                response.ContentLength = payload.Length;
            }

            for (var offset = 0; offset < payload.Length; offset += 64 * 1024)
            {
                await response.Body.WriteAsync(payload.AsMemory(offset, Math.Min(64 * 1024, payload.Length - offset)), response.HttpContext.RequestAborted);
            }
        });

        app.MapGet("/min/bytes-result", (int size) => Results.Bytes(CreatePayload(size, seed: 3), "application/octet-stream"));

        app.MapGet("/min/throw", string () => throw new InvalidOperationException("The differential app throws on purpose."));

        app.MapGet("/min/throw-after-start", async (HttpResponse response) =>
        {
            response.ContentType = "text/plain";
            await response.WriteAsync("partial body", response.HttpContext.RequestAborted);
            await response.Body.FlushAsync(response.HttpContext.RequestAborted);
            throw new InvalidOperationException("The differential app throws after the response started.");
        });

        app.MapGet("/min/status/{code:int}", (int code) => Results.StatusCode(code));

        app.MapGet("/min/problem", () => Results.Problem(
            detail: "The item is locked by another editor.",
            statusCode: StatusCodes.Status409Conflict,
            title: "Conflict",
            type: "https://example.test/problems/locked",
            extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["lockedBy"] = "someone", ["retryAfterSeconds"] = 30 }));

        app.MapGet("/min/redirect", () => Results.Redirect("/min/items/1/redirected?from=redirect"));

        app.MapGet("/min/text", () => Results.Text("héllo wörld ✓", "text/plain; charset=utf-8"));

        app.MapGet("/min/me", (ClaimsPrincipal user) => Results.Text($"you are {user.Identity?.Name}"))
            .RequireAuthorization();

        app.MapGet("/min/admin", (ClaimsPrincipal user) => Results.Text($"admin {user.Identity?.Name}"))
            .RequireAuthorization(policy => policy.RequireUserName("admin"));
    }

    private static void MapEchoEndpoints(WebApplication app)
    {
        // Every method, including custom ones, reaches the echo.
        app.Map("/echo/{**rest}", (Func<HttpContext, Task<IResult>>)EchoAsync);

        // Copies the request body back: same content type, same length when the request had one.
        app.Map("/echo-body", async (HttpContext context) =>
        {
            var request = context.Request;
            var response = context.Response;
            response.ContentType = request.ContentType ?? "application/octet-stream";
            if (request.ContentLength is { } length)
            {
                response.ContentLength = length;
            }

            response.Headers["X-Request-Content-Length"] = request.ContentLength?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none";
            await request.Body.CopyToAsync(response.Body, context.RequestAborted);
        });
    }

    private static async Task<IResult> EchoAsync(HttpContext context)
    {
        var request = context.Request;
        var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted);
        var bytes = body.ToArray();

        var headers = new List<object>();
        foreach (var header in request.Headers.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
        {
            if (!TransportRequestHeaders.Contains(header.Key))
            {
                // Field names are case-insensitive (RFC 9110 §5.1): the echo reports them lower-case.
                headers.Add(new { name = header.Key.ToLowerInvariant(), values = header.Value.ToArray() });
            }
        }

        var query = request.Query.Select(pair => new { key = pair.Key, values = pair.Value.ToArray() }).ToList();
        var cookies = request.Cookies.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => new { name = c.Key, value = c.Value }).ToList();
        var connection = context.Connection;
        return Results.Json(new
        {
            method = request.Method,
            scheme = request.Scheme,
            protocol = request.Protocol,
            host = request.Host.Value,
            pathBase = request.PathBase.Value,
            path = request.Path.Value,
            rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget,
            queryString = request.QueryString.Value,
            query,
            rest = context.GetRouteValue("rest"),
            headers,
            cookies,
            contentType = request.ContentType,
            contentLength = request.ContentLength,
            canHaveBody = context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody,
            hasFormContentType = request.HasFormContentType,
            isHttps = request.IsHttps,
            remoteIp = connection.RemoteIpAddress?.ToString(),
            localIp = connection.LocalIpAddress?.ToString(),
            localPort = connection.LocalPort,
            user = context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name : null,
            bodyLength = bytes.Length,
            bodySha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)),
            bodyText = bytes.Length <= 4096 ? System.Text.Encoding.UTF8.GetString(bytes) : null,
        });
    }

    private static TaskCompletionSource GetGate(string id) =>
        Gates.GetOrAdd(id, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Accepts only the controllers of the differential suite.</summary>
    private sealed class DifferentialControllerFeatureProvider : ControllerFeatureProvider
    {
        protected override bool IsController(System.Reflection.TypeInfo typeInfo) =>
            base.IsController(typeInfo) && typeInfo.Namespace == typeof(DifferentialItemsController).Namespace;
    }
}

/// <summary>The JSON body of the minimal API item endpoints.</summary>
public sealed record MinimalItem(int Id, string? Name, int Quantity, IReadOnlyList<string>? Tags);

/// <summary>
/// Authenticates a request that carries <c>X-Test-User: name</c>; challenges with 401 and a
/// <c>WWW-Authenticate</c> header otherwise.
/// </summary>
public sealed class DifferentialAuthHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <inheritdoc />
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var name = Request.Headers[DifferentialApp.UserHeader].ToString();
        if (string.IsNullOrEmpty(name))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    /// <inheritdoc />
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = new StringValues([DifferentialApp.UserHeader, "Basic realm=\"differential\""]);
        return Task.CompletedTask;
    }
}
