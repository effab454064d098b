using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using WsRest.Engine;
using WsRest.Http;
using WsRest.Protocol;

namespace WsRest.Server.Dispatch;

/// <summary>
/// The response side of a tunneled request: status, headers, body and the start/complete life cycle.
/// The response "starts" on the first flush, write through the stream, or <see cref="StartAsync"/>:
/// OnStarting callbacks run (last registered first), headers freeze, and only then the RESPONSE frame
/// leaves. Used by one request at a time, from the app's own calls, as with Kestrel's features.
/// </summary>
[SuppressMessage("Reliability", "CA1001", Justification = "The body stream holds no resources; its pooled buffer is released when the response completes.")]
internal sealed class DispatchResponse : IHttpResponseFeature, IHttpResponseBodyFeature
{
    private readonly DispatchResponseBodyWriter _writer;
    private readonly DispatchResponseBodyStream _bodyStream;
    private readonly DispatchResponseHeaders _headers = new();
    private readonly Func<string, System.Text.Encoding?>? _headerEncodingSelector;
    private WsRestStream? _stream;
    private bool _suppressBody;
    private List<(Func<object, Task> Callback, object State)>? _onStarting;
    private List<(Func<object, Task> Callback, object State)>? _onCompleted;
    private bool _completed;
    private bool _hasStarted;
    private DispatchDataRateFeatures? _rates;
    private TimeProvider _clock = TimeProvider.System;
    private DateHeaderCache _date = DateHeaderCache.System;
    private DataRateTimer? _rateTimer;

    /// <param name="headerEncodingSelector">Kestrel's <c>ResponseHeaderEncodingSelector</c>: which headers may carry more than ASCII.</param>
    public DispatchResponse(Func<string, System.Text.Encoding?>? headerEncodingSelector = null)
    {
        _headerEncodingSelector = headerEncodingSelector;
        _writer = new DispatchResponseBodyWriter(this);
        _bodyStream = new DispatchResponseBodyStream(this, _writer);
        Reset();
    }

    private WsRestStream ActiveStream => _stream ?? throw new InvalidOperationException("The request has ended.");

    /// <summary>Binds the response to the stream of a new request.</summary>
    public void Initialize(WsRestStream stream, bool suppressBody, DispatchDataRateFeatures rates, TimeProvider clock, DateHeaderCache date)
    {
        _stream = stream;
        _suppressBody = suppressBody;
        _rates = rates;
        _clock = clock;
        _date = date;
    }

    /// <summary>The request is over: back to a fresh 200 with no headers, for the next request on this connection.</summary>
    public void Reset()
    {
        _writer.ReleaseBuffer();
        _stream = null;
        _suppressBody = false;
        _onStarting = null;
        _onCompleted = null;
        _completed = false;
        _hasStarted = false;
        StatusCode = StatusCodes.Status200OK;
        ReasonPhrase = null;
        _headers.Reset(_headerEncodingSelector);
        Headers = _headers;
#pragma warning disable CS0618 // IHttpResponseFeature.Body is obsolete but still part of the interface.
        Body = _bodyStream;
#pragma warning restore CS0618
    }

    public int StatusCode { get; set; }

    public string? ReasonPhrase { get; set; }

    public IHeaderDictionary Headers { get; set; } = null!; // set by Reset, from the constructor on

    [Obsolete("Use IHttpResponseBodyFeature.Stream instead.")]
    public Stream Body { get; set; } = null!; // set by Reset, from the constructor on

    public bool HasStarted => _hasStarted;

    Stream IHttpResponseBodyFeature.Stream => _bodyStream;

    PipeWriter IHttpResponseBodyFeature.Writer => _writer;

    public void OnStarting(Func<object, Task> callback, object state)
    {
        if (_hasStarted)
        {
            throw new InvalidOperationException("The response has already started.");
        }

        (_onStarting ??= []).Add((callback, state));
    }

    public void OnCompleted(Func<object, Task> callback, object state) => (_onCompleted ??= []).Add((callback, state));

    public void DisableBuffering()
    {
        // Nothing is held beyond the next flush, so there is no buffering to turn off.
    }

    public Task StartAsync(CancellationToken cancellationToken = default) => FlushAsync(endStream: false, cancellationToken).AsTask();

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            file.Seek(offset, SeekOrigin.Begin);
            var remaining = count ?? file.Length - offset;
            // One DATA frame's worth per read (PeerOptions.MaxDataFrame): smaller reads would make smaller frames.
            var buffer = BytePool.Rent(64 * 1024);
            try
            {
                while (remaining > 0)
                {
                    var read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    await WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    remaining -= read;
                }
            }
            finally
            {
                BytePool.Return(buffer);
            }
        }
    }

    /// <summary>IHttpResponseBodyFeature.CompleteAsync: the app is done; send what is left with END.</summary>
    public Task CompleteAsync() => _completed ? Task.CompletedTask : FlushAsync(endStream: true, CancellationToken.None).AsTask();

    internal void ThrowIfCompleted()
    {
        if (_completed)
        {
            throw new InvalidOperationException("The response body was already completed.");
        }
    }

    /// <summary>Writes through: buffered bytes and <paramref name="data"/> go out now.</summary>
    internal async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ThrowIfCompleted();
        if (_hasStarted && _writer.BufferedCount == 0)
        {
            if (!_suppressBody)
            {
                await WithinRateAsync(ActiveStream.SendDataAsync(data, endStream: false, cancellationToken), data.Length).ConfigureAwait(false);
            }

            return;
        }

        _writer.Write(data.Span);
        await FlushAsync(endStream: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts the response if needed and sends everything buffered; with <paramref name="endStream"/> the body ends.</summary>
    internal async ValueTask FlushAsync(bool endStream, CancellationToken cancellationToken)
    {
        if (_completed)
        {
            return;
        }

        var body = _suppressBody ? ReadOnlyMemory<byte>.Empty : _writer.Buffered;
        if (!endStream && !_hasStarted && !_suppressBody && body.Length > 0 && Headers.ContentLength == body.Length)
        {
            // The first flush carries the whole declared body: end the stream with it. The response then
            // leaves as one RESPONSE frame with END (no separate END frame), and the client can read it
            // without a pipe. Writing more would break the declared length anyway.
            endStream = true;
        }

        try
        {
            if (!_hasStarted)
            {
                // OnStarting and encoding may throw (bad header value): nothing has been sent then, so
                // the failure still becomes a 500 like Kestrel's.
                await FireOnStartingAsync().ConfigureAwait(false);
                if (endStream)
                {
                    SetLengthOfCompletedResponse(body.Length);
                }

                // As Kestrel (HTTP/1.1, 2 and 3) once the response starts: a Date unless the app set its own.
                if (!Headers.ContainsKey(HeaderNames.Date))
                {
                    Headers.Date = _date.Value;
                }

                var head = EncodeHead();
                _hasStarted = true;
                _headers.Freeze();
                _completed = endStream;
                await WithinRateAsync(ActiveStream.SendHeadAsync(FrameType.Response, head, body, endStream, cancellationToken), body.Length).ConfigureAwait(false);
            }
            else
            {
                _completed = endStream;
                if (!body.IsEmpty)
                {
                    await WithinRateAsync(ActiveStream.SendDataAsync(body, endStream, cancellationToken), body.Length).ConfigureAwait(false);
                }
                else if (endStream)
                {
                    await ActiveStream.CompleteSendAsync().ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _writer.ResetBuffer();
            if (_completed)
            {
                _writer.ReleaseBuffer();
            }
        }
    }

    /// <summary>
    /// A send that has to wait for the client (its flow-control window is used up because it does not
    /// read) may wait only as long as <c>MinResponseDataRate</c> allows for its size — Kestrel's rule for
    /// a write: the grace period, or the write's bytes at the minimum rate if longer. Past that this
    /// stream alone is reset and the pending write fails (Kestrel's HTTP/2 aborts the whole connection;
    /// a WsRest connection carries the client's other work, so only the slow stream goes).
    /// </summary>
    private async ValueTask WithinRateAsync(ValueTask send, int bytes)
    {
        if (send.IsCompleted || _rates?.Response is not { } rate)
        {
            await send.ConfigureAwait(false);
            return;
        }

        var timer = _rateTimer ??= new DataRateTimer(_clock, static owner => ((DispatchResponse)owner).OnResponseTooSlow(), this);
        var forBytes = TimeSpan.FromSeconds(bytes / rate.BytesPerSecond);
        timer.Arm(forBytes > rate.GracePeriod ? forBytes : rate.GracePeriod);
        try
        {
            await send.ConfigureAwait(false);
        }
        finally
        {
            timer.Disarm();
        }
    }

    private void OnResponseTooSlow()
    {
        var rate = _rates?.Response;
        _stream?.Reset(WsRestErrorCode.Cancel, new IOException($"The client read the response too slowly (below {rate?.BytesPerSecond} bytes/s after a {rate?.GracePeriod.TotalSeconds:0.###} s grace period, MinResponseDataRate); the stream was reset."));
    }

    /// <summary>
    /// The stream was reset before the response ended: the client cancelled it (CANCEL), the connection
    /// was lost, or the server aborted it (a data rate, <c>HttpContext.Abort</c>). Kestrel's
    /// <c>_connectionAborted</c>: an I/O or cancellation error then says the client went away, not that
    /// the app failed.
    /// </summary>
    internal bool IsAborted => _stream is { } stream && (stream.State & StreamState.Reset) != 0;

    /// <summary>The pipeline returned: end the response (runs OnStarting if nothing was sent yet).</summary>
    internal Task CompleteResponseAsync() => CompleteAsync();

    /// <summary>
    /// The pipeline threw. Before the response started, the client gets a 500 with no body, or the
    /// status of a <see cref="BadHttpRequestException"/> such as 413 (as Kestrel does); after, the stream
    /// is reset because a half-sent response cannot be corrected.
    /// </summary>
    internal async Task FailAsync(Exception error)
    {
        if (_completed || ActiveStream.IsResetOrRemoved)
        {
            return;
        }

        if (_hasStarted)
        {
            _completed = true;
            _writer.ReleaseBuffer();
            ActiveStream.Reset(WsRestErrorCode.InternalError, error);
            return;
        }

        StatusCode = error is BadHttpRequestException badRequest ? badRequest.StatusCode : StatusCodes.Status500InternalServerError;
        ReasonPhrase = null;
        Headers.Clear();
        _writer.ResetBuffer();
        try
        {
            await FlushAsync(endStream: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Http.HttpRequestException)
        {
            // The client is gone; it cannot receive the 500 either.
        }
    }

    internal async Task FireOnCompletedAsync()
    {
        _writer.ReleaseBuffer();
        if (_onCompleted is null)
        {
            return;
        }

        for (var i = _onCompleted.Count - 1; i >= 0; i--)
        {
            var (callback, state) = _onCompleted[i];
            await callback(state).ConfigureAwait(false);
        }
    }

    private async Task FireOnStartingAsync()
    {
        if (_onStarting is null)
        {
            return;
        }

        var callbacks = _onStarting;
        _onStarting = null;
        for (var i = callbacks.Count - 1; i >= 0; i--)
        {
            var (callback, state) = callbacks[i];
            await callback(state).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// As Kestrel does when the app completes before the response started: the whole body is known,
    /// so a response that may have a body states its length (0 included).
    /// </summary>
    private void SetLengthOfCompletedResponse(int length)
    {
        if (_suppressBody || Headers.ContentLength is not null || Headers.ContainsKey(HeaderNames.TransferEncoding)
            || StatusCode is < 200 or StatusCodes.Status204NoContent or StatusCodes.Status205ResetContent or StatusCodes.Status304NotModified)
        {
            return;
        }

        Headers.ContentLength = length;
    }

    private PooledBufferWriter EncodeHead()
    {
        var head = PooledBufferWriter.Rent(256);
        try
        {
            ResponseHead.WriteStart(head, StatusCode);
            if (Headers is DispatchResponseHeaders headers)
            {
                // The usual case: the struct enumerator, no boxed enumerator per response.
                foreach (var (name, values) in headers)
                {
                    WriteHeader(head, name, values);
                }
            }
            else
            {
                foreach (var (name, values) in Headers)
                {
                    WriteHeader(head, name, values);
                }
            }

            HeaderCodec.WriteEnd(head);
            return head;
        }
        catch
        {
            head.Dispose();
            throw;
        }
    }

    private static void WriteHeader(PooledBufferWriter head, string name, StringValues values)
    {
        if (HopByHopHeaders.IsExcluded(name))
        {
            return;
        }

        foreach (var value in values)
        {
            var text = value ?? string.Empty;
            if (!HeaderCodec.IsValidHeader(name, text))
            {
                throw new InvalidOperationException($"Invalid response header '{name}': the name must be an HTTP token and the value must not contain CR, LF or NUL.");
            }

            HeaderCodec.WriteHeader(head, name, text);
        }
    }
}
