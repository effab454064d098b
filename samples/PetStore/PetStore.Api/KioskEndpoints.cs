using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using WsRest.Server;

namespace PetStore.Api;

/// <summary>
/// The <c>/kiosks</c> API: the store kiosks connected over WsRest, and calls into them. A kiosk dials
/// the server's WsRest endpoint (it has no listening port); the server finds it in the
/// <see cref="IWsRestClusterRegistry"/> (any node, when the API runs as several nodes joined through
/// Redis) and calls the kiosk's own API over that socket.
/// </summary>
public static class KioskEndpoints
{
    /// <summary>The caller name kiosks see on the server's calls (<see cref="WsRestServerOptions.ServerName"/>); kiosks only let this caller change their display.</summary>
    public const string ServerName = "petstore";

    /// <summary>The handshake metadata key that says what a connection is.</summary>
    public const string RoleKey = "role";

    /// <summary>The value of <see cref="RoleKey"/> that marks a connection as a kiosk.</summary>
    public const string Role = "kiosk";

    /// <summary>The handshake metadata key that carries a kiosk's name.</summary>
    public const string NameKey = "name";

    /// <summary>How long the server waits for a kiosk's answer before it reports 504.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Maps the kiosks route group onto <paramref name="routes"/>.</summary>
    public static RouteGroupBuilder MapKioskEndpoints(this IEndpointRouteBuilder routes)
    {
        var kiosks = routes.MapGroup("/kiosks").WithTags("Kiosks");

        kiosks.MapGet("/", ListKiosks)
            .WithName("ListKiosks")
            .WithSummary("Lists the kiosks connected now, oldest connection first.")
            .Produces<IReadOnlyList<ConnectedKiosk>>(StatusCodes.Status200OK);

        kiosks.MapGet("/{id}/status", GetKioskStatusAsync)
            .WithName("GetKioskStatus")
            .WithSummary("Asks a kiosk for its status, over the connection the kiosk dialed.")
            .Produces<KioskStatus>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);

        kiosks.MapPut("/{id}/display", SetKioskDisplayAsync)
            .WithName("SetKioskDisplay")
            .WithSummary("Sets the text on a kiosk's screen.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);

        return kiosks;
    }

    /// <summary>Whether <paramref name="connection"/> announced itself as a kiosk.</summary>
    public static bool IsKiosk(WsRestConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return IsKiosk(connection.Metadata);
    }

    private static bool IsKiosk(IReadOnlyDictionary<string, string> metadata)
        => metadata.TryGetValue(RoleKey, out var role) && role == Role;

    // The cluster registry: this server's connections, or every node's when it runs as several nodes
    // joined through Redis (Program: the "Redis" connection string), so a kiosk is found wherever it is.
    private static async Task<Ok<IReadOnlyList<ConnectedKiosk>>> ListKiosks(IWsRestClusterRegistry cluster, CancellationToken cancellationToken)
        => TypedResults.Ok<IReadOnlyList<ConnectedKiosk>>(
        [
            .. (await cluster.GetConnectionsAsync(cancellationToken).ConfigureAwait(false))
                .Where(c => IsKiosk(c.Metadata))
                .OrderBy(c => c.ConnectedAt)
                .ThenBy(c => c.Id, StringComparer.Ordinal)
                .Select(c => new ConnectedKiosk(c.Id, c.Metadata.GetValueOrDefault(NameKey) ?? string.Empty, c.ConnectedAt)),
        ]);

    /// <summary>How <c>GET /kiosks</c> and <see cref="KioskEvents"/> describe a kiosk's connection.</summary>
    public static ConnectedKiosk Describe(WsRestConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return new ConnectedKiosk(connection.Id, connection.Metadata.GetValueOrDefault(NameKey) ?? string.Empty, connection.ConnectedAt);
    }

    private static Task<IResult> GetKioskStatusAsync(WsRestConnectionRegistry registry, IWsRestClusterRegistry cluster, string id, CancellationToken cancellationToken)
        => CallKioskAsync(registry, cluster, id, async (kiosk, ct) =>
        {
            using var response = await kiosk.GetAsync("/status", ct).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return UnexpectedAnswer(id, response);
            }

            var status = await response.Content.ReadFromJsonAsync(KioskJsonContext.Default.KioskStatus, ct).ConfigureAwait(false);
            return status is { Name: not null, Screen: not null, ServedBy: not null }
                ? TypedResults.Ok(status)
                : BadGateway(id, "The kiosk's status is incomplete.");
        }, cancellationToken);

    private static Task<IResult> SetKioskDisplayAsync(WsRestConnectionRegistry registry, IWsRestClusterRegistry cluster, string id, KioskDisplayInput input, CancellationToken cancellationToken)
    {
        if (input?.Text is not { } text)
        {
            return Task.FromResult<IResult>(TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["text"] = ["The text is required."] }));
        }

        return CallKioskAsync(registry, cluster, id, async (kiosk, ct) =>
        {
            // The kiosk takes plain text and decides what it can show; its 400 is passed on as it is.
            using var content = new StringContent(text, Encoding.UTF8, "text/plain");
            using var response = await kiosk.PutAsync("/display", content, ct).ConfigureAwait(false);
            switch (response.StatusCode)
            {
                case HttpStatusCode.NoContent or HttpStatusCode.OK:
                    return TypedResults.NoContent();
                case HttpStatusCode.BadRequest:
                    var problem = await response.Content.ReadFromJsonAsync(KioskJsonContext.Default.HttpValidationProblemDetails, ct).ConfigureAwait(false);
                    return problem is null
                        ? BadGateway(id, "The kiosk refused the text without saying why.")
                        : TypedResults.ValidationProblem(problem.Errors, problem.Detail, title: problem.Title ?? "The kiosk cannot show this text.");
                default:
                    return UnexpectedAnswer(id, response);
            }
        }, cancellationToken);
    }

    /// <summary>
    /// Finds kiosk <paramref name="id"/> (on this node or, with Redis, on any node) and runs
    /// <paramref name="call"/> with an <see cref="HttpClient"/> into it. The registry looks the connection
    /// up again on every request, so a kiosk that disconnects at any point fails the call at once with
    /// <see cref="HttpRequestException"/>: that is a 404 too.
    /// </summary>
    private static async Task<IResult> CallKioskAsync(
        WsRestConnectionRegistry registry,
        IWsRestClusterRegistry cluster,
        string id,
        Func<HttpClient, CancellationToken, Task<IResult>> call,
        CancellationToken cancellationToken)
    {
        if (await cluster.FindAsync(id, cancellationToken).ConfigureAwait(false) is not { } found || !IsKiosk(found.Metadata))
        {
            return KioskNotFound(id, $"There is no kiosk with id '{id}'.");
        }

        using var http = registry.CreateHttpClient(id);
        http.Timeout = CallTimeout;
        try
        {
            return await call(http, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            return ex.HttpRequestError == HttpRequestError.ConnectionError || await cluster.FindAsync(id, CancellationToken.None).ConfigureAwait(false) is null
                ? KioskNotFound(id, $"Kiosk '{id}' disconnected.")
                : BadGateway(id, $"The call failed: {ex.Message}");
        }
        catch (JsonException)
        {
            return BadGateway(id, "The kiosk's answer is not the JSON the store expects.");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status504GatewayTimeout,
                title: "The kiosk did not answer",
                detail: $"Kiosk '{id}' did not answer within {CallTimeout.TotalSeconds:0} s.");
        }
    }

    private static ProblemHttpResult KioskNotFound(string id, string detail)
        => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Kiosk not found", detail: detail, extensions: new Dictionary<string, object?> { ["kioskId"] = id });

    private static ProblemHttpResult UnexpectedAnswer(string id, HttpResponseMessage response)
        => BadGateway(id, response.StatusCode == HttpStatusCode.Forbidden
            ? $"The kiosk refused the store's call (403 Forbidden): it does not accept the caller '{ServerName}'."
            : $"The kiosk answered {(int)response.StatusCode} {response.ReasonPhrase}.");

    private static ProblemHttpResult BadGateway(string id, string detail)
        => TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The kiosk's answer is not usable", detail: detail, extensions: new Dictionary<string, object?> { ["kioskId"] = id });
}
