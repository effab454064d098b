using System.Text;
using System.Text.Json;
using WsRest.Server;

namespace WsRest.Redis.Reverse;

/// <summary>
/// The owning node's side of a cross-node reverse call: runs the request through this node's own
/// reverse-call handler (so <see cref="WsRestServerOptions.AuthorizeReverseCall"/> and the caller stamp
/// apply here, where the connection is), with the request body fed by the caller's chunks, and streams
/// the response back in chunks within the caller's credit. A cancel from the caller, or the caller
/// silent for <see cref="WsRestRedisOptions.NodeTimeout"/>, cancels the call into the client.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The token source has no timer and may still be cancelled by a late message: nothing to release, and disposing would race.")]
internal sealed class OwnerCall : CallBase
{
    private readonly RequestHead _head;
    private readonly WsRestConnectionRegistry _registry;
    private readonly CancellationTokenSource _aborted = new();
    private readonly CreditWindow _outgoing;
    private readonly ChunkReceiver? _requestBody;

    public OwnerCall(CallRouter router, Guid id, RequestHead head, WsRestConnectionRegistry registry)
        : base(router, id, head.CallerNode)
    {
        _head = head;
        _registry = registry;
        _outgoing = new CreditWindow(router.Window);
        if (head.HasBody)
        {
            _requestBody = new ChunkReceiver(router.Window, consumed => SendAsync(CallMessageKind.Credit, consumed), static _ => { });
        }
    }

    public async Task RunAsync()
    {
        try
        {
            await RunCoreAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_aborted.IsCancellationRequested)
        {
            // The caller cancelled or went silent: nobody is left to tell.
        }
        catch (Exception ex)
        {
            CallLog.OwnerCallFailed(Router.Logger, Id, _head.ConnectionId, PeerNode, ex);
            await ReportAsync(ex).ConfigureAwait(false);
        }
        finally
        {
            Router.Remove(this);
        }
    }

    public override bool WaitingForCredit => _outgoing.IsWaiting;

    public override void Fail(Exception failure)
    {
        _outgoing.Fail(failure);
        _requestBody?.Fail(failure as IOException ?? new IOException(failure.Message, failure));
        _aborted.Cancel();
    }

    protected override void OnMessage(CallMessage message)
    {
        switch (message.Kind)
        {
            case CallMessageKind.RequestData:
                _requestBody?.OnChunk(message.Number, message.Payload);
                break;
            case CallMessageKind.RequestEnd:
                _requestBody?.OnEnd(message.Number);
                break;
            case CallMessageKind.Credit:
                _outgoing.Grant(message.Number);
                break;
            case CallMessageKind.Cancel:
                Fail(new OperationCanceledException($"Node {PeerNode} cancelled the reverse call."));
                break;
        }
    }

    private async Task RunCoreAsync()
    {
        if (!_registry.TryGetConnection(_head.ConnectionId, out _))
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"There is no open WsRest connection with id '{_head.ConnectionId}': the client disconnected from node {Router.NodeId}.");
        }

        using var request = _head.ToRequest(_requestBody is null ? null : new StreamContent(_requestBody, Router.ChunkSize));
        request.Options.Set(WsRestRequestOptions.Caller, _head.Caller);
        using var invoker = new HttpMessageInvoker(_registry.CreateMessageHandler(_head.ConnectionId), disposeHandler: true);
        using var response = await invoker.SendAsync(request, _aborted.Token).ConfigureAwait(false);
        var head = JsonSerializer.SerializeToUtf8Bytes(ResponseHead.From(response), RedisJson.Default.ResponseHead);
        await Router.SendAsync(PeerNode, CallMessageKind.Response, Id, 0, head).ConfigureAwait(false);
        var body = await response.Content.ReadAsStreamAsync(_aborted.Token).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            await SendBodyAsync(body, CallMessageKind.ResponseData, CallMessageKind.ResponseEnd, _outgoing, _aborted.Token).ConfigureAwait(false);
        }
    }

    private async Task ReportAsync(Exception failure)
    {
        var reason = Encoding.UTF8.GetBytes(failure.Message);
        var payload = new byte[1 + reason.Length];
        payload[0] = (byte)CallFailures.Classify(failure);
        reason.CopyTo(payload, 1);
        try
        {
            await Router.SendAsync(PeerNode, CallMessageKind.Fail, Id, 0, payload).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WsRestBackplaneException or HttpRequestException)
        {
            // The caller cannot be told; its timeout (no keep-alives from here any more) ends the call there.
            CallLog.FailureNotDelivered(Router.Logger, Id, PeerNode, ex);
        }
    }
}
