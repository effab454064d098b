using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;

namespace WsRest.Load;

/// <summary>
/// The SignalR side of the bench app (mapped at <c>/hub</c>): the same two requests as
/// <c>GET /small</c> and <c>POST /echo4k</c>, as hub methods over the JSON hub protocol.
/// </summary>
[SuppressMessage("Performance", "CA1822", Justification = "SignalR dispatches to public instance methods only.")]
internal sealed class BenchHub : Hub
{
    /// <summary>Name of the method answering like <c>GET /small</c>.</summary>
    public const string SmallMethod = nameof(Small);

    /// <summary>Name of the method answering like <c>POST /echo4k</c>.</summary>
    public const string EchoMethod = nameof(Echo);

    // Parsed once: serialized back, an element writes the same 100 bytes inline in the completion
    // message. A string would cost escaping (the default encoder writes each '"' as \u0022) and a
    // byte[] base64, so neither would be the same payload (docs/benchmarks.md).
    private static readonly JsonElement SmallElement = JsonDocument.Parse(Payloads.SmallJson).RootElement.Clone();

    /// <summary>Returns the <c>GET /small</c> body as a JSON value.</summary>
    public JsonElement Small() => SmallElement;

    /// <summary>Returns the body it was given (base64 each way with the JSON protocol: its cost, measured as such).</summary>
    public byte[] Echo(byte[] body) => body;
}
