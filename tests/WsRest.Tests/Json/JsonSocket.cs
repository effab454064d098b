using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace WsRest.Tests.Json;

/// <summary>
/// A <c>wsrest.v1.json</c> peer made of a bare <see cref="ClientWebSocket"/> and System.Text.Json only:
/// no WsRest client code, so the conformance tests check the server against the spec's text (§13).
/// </summary>
public sealed class JsonSocket : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly Queue<JsonObject> _pending = new();

    private JsonSocket(ClientWebSocket socket) => Socket = socket;

    public ClientWebSocket Socket { get; }

    /// <summary>Every text message received so far, as sent.</summary>
    public List<string> Received { get; } = [];

    public static async Task<JsonSocket> OpenAsync(Uri endpoint, params string[] subProtocols)
    {
        var socket = new ClientWebSocket();
        foreach (var subProtocol in subProtocols.Length == 0 ? ["wsrest.v1.json"] : subProtocols)
        {
            socket.Options.AddSubProtocol(subProtocol);
        }

        using var timeout = new CancellationTokenSource(Timeout);
        await socket.ConnectAsync(endpoint, timeout.Token);
        return new JsonSocket(socket);
    }

    /// <summary>HELLO → WELCOME → READY; returns the WELCOME object.</summary>
    public async Task<JsonObject> HandshakeAsync(string hello = """{"t":"hello","v":1,"s":{"ps":1}}""")
    {
        await SendAsync(hello);
        var welcome = await NextAsync();
        await SendAsync("""{"t":"ready"}""");
        return welcome;
    }

    public async Task SendAsync(string json)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await Socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, timeout.Token);
    }

    /// <summary>The next frame object (a message array yields its objects one by one).</summary>
    public async Task<JsonObject> NextAsync()
    {
        while (_pending.Count == 0)
        {
            var (type, text) = await ReceiveMessageAsync();
            if (type == WebSocketMessageType.Close)
            {
                throw new InvalidOperationException($"The server closed the connection ({Socket.CloseStatus} {Socket.CloseStatusDescription}) while a frame was expected.");
            }

            Assert.That(type, Is.EqualTo(WebSocketMessageType.Text), "a wsrest.v1.json server sends text messages only");
            var node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
            if (node is JsonArray array)
            {
                Assert.That(array, Is.Not.Empty, "an array message carries at least one frame");
                foreach (var item in array)
                {
                    _pending.Enqueue(item!.AsObject());
                }
            }
            else
            {
                _pending.Enqueue(node!.AsObject());
            }
        }

        return _pending.Dequeue();
    }

    /// <summary>The next frame that satisfies <paramref name="match"/>; frames before it are returned in <paramref name="skipped"/>.</summary>
    public async Task<JsonObject> NextAsync(Func<JsonObject, bool> match, List<JsonObject>? skipped = null)
    {
        while (true)
        {
            var frame = await NextAsync();
            if (match(frame))
            {
                return frame;
            }

            skipped?.Add(frame);
        }
    }

    /// <summary>Reads until the server closes; returns the close status and the frames that came first (the ERROR among them).</summary>
    public async Task<(WebSocketCloseStatus? Status, List<JsonObject> Frames)> ReceiveUntilCloseAsync()
    {
        var frames = new List<JsonObject>(_pending);
        _pending.Clear();
        while (true)
        {
            var (type, text) = await ReceiveMessageAsync();
            if (type == WebSocketMessageType.Close)
            {
                return (Socket.CloseStatus, frames);
            }

            var node = JsonNode.Parse(text);
            if (node is JsonArray array)
            {
                frames.AddRange(array.Select(item => item!.AsObject()));
            }
            else
            {
                frames.Add(node!.AsObject());
            }
        }
    }

    private async Task<(WebSocketMessageType Type, string Text)> ReceiveMessageAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await Socket.ReceiveAsync(buffer, timeout.Token);
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);

        if (result.MessageType == WebSocketMessageType.Close)
        {
            if (Socket.State == WebSocketState.CloseReceived)
            {
                await Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, timeout.Token);
            }

            return (WebSocketMessageType.Close, string.Empty);
        }

        var text = Encoding.UTF8.GetString(message.ToArray());
        Received.Add(text);
        return (result.MessageType, text);
    }

    public async ValueTask DisposeAsync()
    {
        if (Socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, string.Empty, timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // The server already went away; nothing left to close.
            }
        }

        Socket.Dispose();
    }
}
