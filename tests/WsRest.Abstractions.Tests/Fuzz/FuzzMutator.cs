using System.Runtime.InteropServices;
using WsRest.Protocol;

namespace WsRest.Abstractions.Tests.Fuzz;

/// <summary>
/// Turns (run seed, input index) into one fuzz input: purely random bytes, a random frame envelope
/// around random bytes, or a seed from <see cref="FuzzCorpus"/> with one to six stacked mutations
/// (bit flips, interesting bytes, insertions, deletions, duplication, splicing with another seed,
/// truncation, and varint/length field corruption). Half of the seed mutations work on one frame's
/// payload and re-frame it with a matching length, so the mutated payload reaches the payload decoders
/// instead of being rejected by the envelope; the other half mutate the raw message, envelope included.
/// The input depends only on (seed, index): any input of a run can be regenerated.
/// </summary>
internal sealed class FuzzMutator
{
    /// <summary>Inputs are capped at this size; the decoders' cost is linear, longer inputs add nothing.</summary>
    public const int MaxInputLength = 8 * 1024;

    private static readonly byte[] s_interestingBytes = [0x00, 0x01, 0x3F, 0x40, 0x7F, 0x80, 0xBF, 0xC0, 0xFF];

    private static readonly ulong[] s_interestingValues =
    [
        0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 15, 16, 31, 47, 48, 49, 50, 62, 63, 64, 99, 100, 101, 255, 256, 257,
        999, 1000, 1023, 1024, 1025, 4095, 4096, 16383, 16384, 65535, 65536, (1UL << 30) - 1, 1UL << 30,
        int.MaxValue - 1, int.MaxValue, (ulong)int.MaxValue + 1, uint.MaxValue, 1UL << 32, long.MaxValue >> 1, VarInt.MaxValue,
    ];

    private static readonly int[] s_longerThanOne = [2, 4, 8];

    private static readonly FrameType[] s_types = Enum.GetValues<FrameType>();

    private readonly IReadOnlyList<byte[]> _seeds;
    private readonly FuzzRandom _random = new(0);
    private readonly List<byte> _buffer = new(MaxInputLength);
    private readonly List<byte> _payload = new(MaxInputLength);

    public FuzzMutator(IReadOnlyList<byte[]> seeds) => _seeds = seeds;

    public byte[] Generate(ulong seed, long index)
    {
        _random.Reset(seed, index);
        var strategy = _random.Next(100);
        _buffer.Clear();
        if (strategy < 4)
        {
            AppendRandom(_buffer, _random.SmallLength(64));
        }
        else if (strategy < 10)
        {
            _payload.Clear();
            AppendRandom(_payload, _random.SmallLength(64));
            WriteEnvelope(_buffer, RandomType(), (byte)(_random.Chance(70) ? 0 : _random.Next(256)), RandomStreamId(), _payload);
        }
        else
        {
            var message = _random.Pick(_seeds);
            if (strategy < 55)
            {
                MutatePayload(message);
            }
            else
            {
                _buffer.AddRange(message);
                var count = 1 + _random.Next(_random.Chance(50) ? 2 : 6);
                for (var i = 0; i < count; i++)
                {
                    MutateRaw();
                }
            }
        }

        if (_buffer.Count > MaxInputLength)
        {
            _buffer.RemoveRange(MaxInputLength, _buffer.Count - MaxInputLength);
        }

        return [.. _buffer];
    }

    /// <summary>Mutates the payload of one frame of <paramref name="message"/> and re-frames it with the right length.</summary>
    private void MutatePayload(byte[] message)
    {
        // Seeds are valid, so their frames parse; pick one of them.
        var frames = new List<(FrameType Type, byte Flags, ulong StreamId, int FrameStart, int Start, int Length)>();
        var offset = 0;
        while (offset < message.Length && FrameCodec.TryReadFrame(message.AsSpan(offset), out var frame, out var consumed))
        {
            frames.Add((frame.Type, (byte)frame.Flags, frame.StreamId, offset, offset + consumed - frame.Payload.Length, frame.Payload.Length));
            offset += consumed;
        }

        if (frames.Count == 0)
        {
            _buffer.AddRange(message);
            MutateRaw();
            return;
        }

        var (type, flags, streamId, frameStart, start, length) = frames[_random.Next(frames.Count)];
        _payload.Clear();
        _payload.AddRange(message.AsSpan(start, length));
        var count = 1 + _random.Next(_random.Chance(50) ? 2 : 6);
        for (var i = 0; i < count; i++)
        {
            MutateOne(_payload, payloadMode: true);
        }

        if (_random.Chance(10))
        {
            type = _random.Chance(80) ? _random.Pick(s_types) : RandomType();
        }

        if (_random.Chance(10))
        {
            flags = (byte)_random.Next(256);
        }

        if (_random.Chance(10))
        {
            streamId = RandomStreamId();
        }

        // Keep the other frames of a batched seed around the mutated one (or drop them).
        var keepOthers = _random.Chance(50);
        if (keepOthers)
        {
            _buffer.AddRange(message.AsSpan(0, frameStart));
        }

        WriteEnvelope(_buffer, type, flags, streamId, _payload);
        if (keepOthers)
        {
            _buffer.AddRange(message.AsSpan(start + length));
        }
    }

    private void MutateRaw()
    {
        if (_random.Chance(20))
        {
            CorruptEnvelope();
        }
        else
        {
            MutateOne(_buffer, payloadMode: false);
        }
    }

    private void MutateOne(List<byte> data, bool payloadMode)
    {
        switch (_random.Next(14))
        {
            case 0:
            case 1:
                if (data.Count > 0)
                {
                    var at = _random.Next(data.Count);
                    data[at] ^= (byte)(1 << _random.Next(8));
                }

                break;
            case 2:
            case 3:
                if (data.Count > 0)
                {
                    data[_random.Next(data.Count)] = _random.Pick(s_interestingBytes);
                }

                break;
            case 4:
                if (data.Count > 0)
                {
                    data[_random.Next(data.Count)] = (byte)_random.Next(256);
                }

                break;
            case 5:
            {
                // Insert random or interesting bytes.
                var at = _random.Next(data.Count + 1);
                var count = 1 + _random.SmallLength(16);
                var interesting = _random.Chance(50);
                for (var i = 0; i < count; i++)
                {
                    data.Insert(at, interesting ? _random.Pick(s_interestingBytes) : (byte)_random.Next(256));
                }

                break;
            }

            case 6:
                if (data.Count > 0)
                {
                    var at = _random.Next(data.Count);
                    var count = Math.Min(data.Count - at, 1 + _random.SmallLength(32));
                    data.RemoveRange(at, count);
                }

                break;
            case 7:
                if (data.Count > 0)
                {
                    // Duplicate a chunk, possibly many times (repeated header entries, metadata pairs, frames).
                    var at = _random.Next(data.Count);
                    var count = Math.Min(data.Count - at, 1 + _random.SmallLength(32));
                    var chunk = CollectionsMarshal.AsSpan(data).Slice(at, count).ToArray();
                    var repeats = _random.Chance(80) ? 1 : _random.Next(2, 200);
                    var into = _random.Next(data.Count + 1);
                    for (var r = 0; r < repeats && data.Count + chunk.Length <= MaxInputLength; r++)
                    {
                        data.InsertRange(into, chunk);
                    }
                }

                break;
            case 8:
            {
                // Splice: our prefix, another seed's suffix.
                var other = _random.Pick(_seeds);
                var cut = _random.Next(data.Count + 1);
                var from = _random.Next(other.Length + 1);
                data.RemoveRange(cut, data.Count - cut);
                data.AddRange(other.AsSpan(from));
                break;
            }

            case 9:
                if (!payloadMode)
                {
                    // Batch another whole seed behind this message.
                    data.AddRange(_random.Pick(_seeds));
                }
                else if (data.Count > 0)
                {
                    // Overwrite a chunk with bytes from a seed (field-shaped bytes in the wrong place).
                    var other = _random.Pick(_seeds);
                    var at = _random.Next(data.Count);
                    var from = _random.Next(other.Length);
                    var count = Math.Min(Math.Min(data.Count - at, other.Length - from), 1 + _random.SmallLength(16));
                    for (var i = 0; i < count; i++)
                    {
                        data[at + i] = other[from + i];
                    }
                }

                break;
            case 10:
                if (data.Count > 0)
                {
                    // Truncate.
                    var keep = _random.Next(data.Count);
                    data.RemoveRange(keep, data.Count - keep);
                }

                break;
            default:
                CorruptVarInt(data, payloadMode);
                break;
        }
    }

    /// <summary>
    /// Replaces the varint starting at a position (the first byte decides its width) with an
    /// interesting value in a random, possibly non-shortest, width; or inserts one.
    /// </summary>
    private void CorruptVarInt(List<byte> data, bool payloadMode)
    {
        var at = payloadMode && _random.Chance(30) ? 0 : _random.Next(data.Count + 1);
        if (at < data.Count && _random.Chance(75))
        {
            var width = Math.Min(1 << (data[at] >> 6), data.Count - at);
            data.RemoveRange(at, width);
        }

        ulong value;
        var relative = data.Count - at;
        value = _random.Next(4) switch
        {
            0 => (ulong)Math.Max(0, relative + _random.Next(-2, 3)),
            _ => _random.Pick(s_interestingValues),
        };
        Span<byte> encoded = stackalloc byte[8];
        var length = WriteVarInt(encoded, value, RandomWidth(value));
        data.InsertRange(at, encoded[..length]);
    }

    /// <summary>Rewrites the stream id or payload length of one frame of the message, or its type or flags.</summary>
    private void CorruptEnvelope()
    {
        // Find the envelopes that still parse.
        var data = CollectionsMarshal.AsSpan(_buffer);
        Span<int> starts = stackalloc int[16];
        var found = 0;
        var offset = 0;
        while (found < starts.Length && offset < data.Length && FrameCodec.TryReadFrame(data[offset..], out _, out var consumed))
        {
            starts[found++] = offset;
            offset += consumed;
        }

        var frameStart = found == 0 ? 0 : starts[_random.Next(found)];
        if (frameStart + 4 > _buffer.Count)
        {
            MutateOne(_buffer, payloadMode: false);
            return;
        }

        switch (_random.Next(4))
        {
            case 0:
                _buffer[frameStart] = _random.Chance(70) ? (byte)_random.Pick(s_types) : (byte)_random.Next(256);
                break;
            case 1:
                _buffer[frameStart + 1] = (byte)_random.Next(256);
                break;
            case 2:
                ReplaceVarIntAt(frameStart + 2, RandomStreamId());
                break;
            default:
            {
                var idWidth = 1 << (_buffer[frameStart + 2] >> 6);
                var lengthAt = frameStart + 2 + idWidth;
                if (lengthAt >= _buffer.Count)
                {
                    return;
                }

                VarInt.TryRead(CollectionsMarshal.AsSpan(_buffer)[lengthAt..], out var current, out _);
                var value = _random.Next(3) switch
                {
                    0 => current + (ulong)_random.Next(1, 4),
                    1 => current - Math.Min(current, (ulong)_random.Next(1, 4)),
                    _ => _random.Pick(s_interestingValues),
                };
                ReplaceVarIntAt(lengthAt, Math.Min(value, VarInt.MaxValue));
                break;
            }
        }
    }

    private void ReplaceVarIntAt(int at, ulong value)
    {
        var width = Math.Min(1 << (_buffer[at] >> 6), _buffer.Count - at);
        _buffer.RemoveRange(at, width);
        Span<byte> encoded = stackalloc byte[8];
        var length = WriteVarInt(encoded, value, RandomWidth(value));
        _buffer.InsertRange(at, encoded[..length]);
    }

    private void WriteEnvelope(List<byte> destination, FrameType type, byte flags, ulong streamId, List<byte> payload)
    {
        Span<byte> varint = stackalloc byte[8];
        destination.Add((byte)type);
        destination.Add(flags);
        destination.AddRange(varint[..WriteVarInt(varint, streamId, RandomWidth(streamId))]);
        var length = (ulong)payload.Count;
        destination.AddRange(varint[..WriteVarInt(varint, length, RandomWidth(length))]);
        destination.AddRange(CollectionsMarshal.AsSpan(payload));
    }

    /// <summary>Mostly the shortest width; sometimes a longer one, which receivers must accept (§3.5).</summary>
    private int RandomWidth(ulong value)
    {
        var shortest = VarInt.GetLength(value);
        if (_random.Chance(80) || shortest == 8)
        {
            return shortest;
        }

        return shortest switch
        {
            1 => _random.Pick(s_longerThanOne),
            2 => _random.Chance(50) ? 4 : 8,
            _ => 8,
        };
    }

    /// <summary>Writes <paramref name="value"/> as a varint of exactly <paramref name="width"/> bytes.</summary>
    internal static int WriteVarInt(Span<byte> destination, ulong value, int width)
    {
        var prefix = width switch { 1 => 0UL, 2 => 1UL, 4 => 2UL, _ => 3UL };
        for (var i = width - 1; i >= 0; i--)
        {
            destination[i] = (byte)value;
            value >>= 8;
        }

        destination[0] = (byte)((destination[0] & 0x3F) | (byte)(prefix << 6));
        return width;
    }

    private FrameType RandomType() => (FrameType)(_random.Chance(80) ? _random.Next(0x12) : _random.Next(256));

    private ulong RandomStreamId() => _random.Chance(50) ? (ulong)_random.Next(16) : _random.Pick(s_interestingValues);

    private void AppendRandom(List<byte> destination, int count)
    {
        for (var i = 0; i < count; i++)
        {
            destination.Add(_random.Chance(30) ? _random.Pick(s_interestingBytes) : (byte)_random.Next(256));
        }
    }
}
