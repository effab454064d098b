using System.Buffers.Binary;

namespace WsRest.Redis.Reverse;

/// <summary>What one Redis message of a cross-node reverse call carries (docs/scale-out.md, "Reverse calls").</summary>
internal enum CallMessageKind : byte
{
    /// <summary>Caller to owner: the request head (JSON).</summary>
    Request = 1,

    /// <summary>Caller to owner: request body chunk number <c>n</c>.</summary>
    RequestData,

    /// <summary>Caller to owner: the request body ended after <c>n</c> chunks.</summary>
    RequestEnd,

    /// <summary>Owner to caller: the response head (JSON).</summary>
    Response,

    /// <summary>Owner to caller: response body chunk number <c>n</c>.</summary>
    ResponseData,

    /// <summary>Owner to caller: the response body ended after <c>n</c> chunks.</summary>
    ResponseEnd,

    /// <summary>Either way: the receiver has consumed <c>n</c> chunks in all (back-pressure).</summary>
    Credit,

    /// <summary>Caller to owner: stop; the caller gave up.</summary>
    Cancel,

    /// <summary>Owner to caller: the call failed; the payload is a <see cref="CallFailure"/> byte and a UTF-8 reason.</summary>
    Fail,

    /// <summary>Either way: still working on this call (sent every heartbeat interval).</summary>
    KeepAlive,
}

/// <summary>Why an owner failed a call, so the caller throws the same kind of exception as a local call would.</summary>
internal enum CallFailure : byte
{
    NotFound = 1,
    Unauthorized,
    Failed,
}

/// <summary>The envelope: kind (1 byte), call id (16 bytes), number (8 bytes, big-endian), payload.</summary>
internal readonly record struct CallMessage(CallMessageKind Kind, Guid CallId, long Number, ReadOnlyMemory<byte> Payload)
{
    public const int HeaderLength = 1 + 16 + 8;

    public static void WriteHeader(Span<byte> destination, CallMessageKind kind, Guid callId, long number)
    {
        destination[0] = (byte)kind;
        callId.TryWriteBytes(destination.Slice(1, 16));
        BinaryPrimitives.WriteInt64BigEndian(destination.Slice(17, 8), number);
    }

    public static bool TryParse(ReadOnlyMemory<byte> message, out CallMessage parsed)
    {
        var span = message.Span;
        if (span.Length < HeaderLength || span[0] is 0 or > (byte)CallMessageKind.KeepAlive)
        {
            parsed = default;
            return false;
        }

        parsed = new CallMessage((CallMessageKind)span[0], new Guid(span.Slice(1, 16)), BinaryPrimitives.ReadInt64BigEndian(span.Slice(17, 8)), message[HeaderLength..]);
        return true;
    }
}
