using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace WsRest.Redis.Reverse;

/// <summary>
/// The calling node's side of a cross-node reverse call: sends the request (head, then the body in
/// chunks within the owner's credit), waits for the response head, and hands out the response body as a
/// stream fed by the owner's chunks. Every way it can end — read to the end, disposed early, cancelled,
/// failed by the owner, owner silent for <see cref="WsRestRedisOptions.NodeTimeout"/> — removes it from the router.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The token source has no timer and may still be cancelled by a late message: nothing to release, and disposing would race.")]
internal sealed class CallerCall : CallBase
{
    private readonly TaskCompletionSource<ResponseHead> _head = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _requestBody = new();
    private readonly CreditWindow _outgoing;
    private int _ended;

    public CallerCall(CallRouter router, string ownerNode)
        : base(router, Guid.NewGuid(), ownerNode)
    {
        _outgoing = new CreditWindow(router.Window);
        ResponseBody = new ChunkReceiver(router.Window, consumed => SendAsync(CallMessageKind.Credit, consumed), OnBodyClosed);
    }

    public ChunkReceiver ResponseBody { get; }

    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, RequestHead head, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(head, RedisJson.Default.RequestHead);
        await Router.SendAsync(PeerNode, CallMessageKind.Request, Id, 0, json).ConfigureAwait(false);
        if (request.Content is { } content)
        {
            _ = Task.Run(() => SendRequestBodyAsync(content), CancellationToken.None);
        }

        ResponseHead response;
        try
        {
            response = await _head.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Cancel();
            throw;
        }

        return response.ToResponse(request, new StreamContent(ResponseBody, Router.ChunkSize));
    }

    public override bool WaitingForCredit => _outgoing.IsWaiting;

    public override void Fail(Exception failure)
    {
        _head.TrySetException(failure);
        ResponseBody.Fail(failure as IOException ?? new IOException(failure.Message, failure));
        _outgoing.Fail(failure);
        End();
    }

    protected override void OnMessage(CallMessage message)
    {
        switch (message.Kind)
        {
            case CallMessageKind.Response:
                _head.TrySetResult(JsonSerializer.Deserialize(message.Payload.Span, RedisJson.Default.ResponseHead)!);
                break;
            case CallMessageKind.ResponseData:
                ResponseBody.OnChunk(message.Number, message.Payload);
                break;
            case CallMessageKind.ResponseEnd:
                ResponseBody.OnEnd(message.Number);
                break;
            case CallMessageKind.Credit:
                _outgoing.Grant(message.Number);
                break;
            case CallMessageKind.Fail:
                Fail(CallFailures.ToException((CallFailure)message.Payload.Span[0], System.Text.Encoding.UTF8.GetString(message.Payload.Span[1..]), PeerNode));
                break;
        }
    }

    private async Task SendRequestBodyAsync(HttpContent content)
    {
        try
        {
            var body = await content.ReadAsStreamAsync(_requestBody.Token).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                await SendBodyAsync(body, CallMessageKind.RequestData, CallMessageKind.RequestEnd, _outgoing, _requestBody.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_requestBody.IsCancellationRequested)
        {
            // The call ended first (response complete, cancelled or failed): the rest of the body is not wanted.
        }
        catch (Exception ex)
        {
            CallLog.RequestBodyFailed(Router.Logger, Id, PeerNode, ex);
            Cancel();
            Fail(new HttpRequestException($"Sending the request body to node {PeerNode} failed: {ex.Message}", ex));
        }
    }

    /// <summary>The caller gave up: the owner is told to stop (best effort: if the message is lost, the owner's own timeout ends it).</summary>
    private void Cancel()
    {
        if (Volatile.Read(ref _ended) == 0)
        {
            Router.SendInBackground(PeerNode, CallMessageKind.Cancel, Id);
        }

        End();
    }

    private void OnBodyClosed(bool complete)
    {
        if (!complete)
        {
            Cancel();
        }

        End();
    }

    private void End()
    {
        if (Interlocked.Exchange(ref _ended, 1) == 0)
        {
            _requestBody.Cancel();
            Router.Remove(this);
        }
    }
}
