using System.Net;
using System.Net.Http;
using System.Net.WebSockets;

namespace WsRest.Client;

/// <summary>
/// The errors a connection attempt and a client that is backing off throw, worded so a caller can
/// tell a refused upgrade (with its <see cref="HttpRequestException.StatusCode"/>) and a redirect
/// from a server that cannot be reached (issue 18).
/// </summary>
internal static class ConnectErrors
{
    /// <summary>
    /// The server answered the upgrade with <paramref name="status"/> instead of 101. A redirect is
    /// named as such: a WebSocket upgrade does not follow it (typically <c>UseHttpsRedirection</c>
    /// sending <c>ws://</c> to the HTTPS port), and "could not connect" would hide that.
    /// </summary>
    public static HttpRequestException UpgradeRefused(Uri endpoint, HttpStatusCode status, string? location, WebSocketException inner)
    {
        var code = (int)status;
        var message = code is >= 300 and < 400 && location is not null
            ? $"The server redirected the WebSocket upgrade at {endpoint} to {location} ({code} {status}); WebSocket upgrades do not follow redirects. " +
              "Connect to the final address (wss:// if it redirects to HTTPS), or keep UseHttpsRedirection away from the WsRest endpoint."
            : $"The server at {endpoint} refused the WebSocket upgrade with {code} {status}.";
        return new HttpRequestException(HttpRequestError.ConnectionError, message, inner, status);
    }

    /// <summary>The redirect target a refused upgrade named, if any.</summary>
    public static string? LocationOf(IReadOnlyDictionary<string, IEnumerable<string>>? headers)
    {
        if (headers is null)
        {
            return null;
        }

        foreach (var (name, values) in headers)
        {
            if (string.Equals(name, "Location", StringComparison.OrdinalIgnoreCase))
            {
                return values.FirstOrDefault();
            }
        }

        return null;
    }

    /// <summary>
    /// A request met the client backing off after a failed attempt and does not wait for ready: it
    /// fails now (issue 13) with the last attempt's error inside and its status code, if any.
    /// </summary>
    public static HttpRequestException BackingOff(Uri endpoint, HttpRequestException lastError)
        => new(
            HttpRequestError.ConnectionError,
            $"No WsRest connection to {endpoint}: the last attempt failed ({lastError.Message}) and the client is waiting to try again. " +
            "Set WsRestClientRequestOptions.WaitForReady on the request (or WsRestReconnectOptions.WaitForReady) to wait for the connection instead.",
            lastError,
            lastError.StatusCode);

    /// <summary>The HTTP status of a refused upgrade somewhere in <paramref name="error"/>, for log lines.</summary>
    public static int? StatusOf(Exception? error)
        => error is HttpRequestException { StatusCode: { } status } ? (int)status : null;
}
