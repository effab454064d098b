using WsRest.Protocol;

namespace WsRest.Abstractions.Tests;

/// <summary>Pins the static header table of docs/protocol.md §5.2: reordering it breaks the wire format.</summary>
public class StaticTableTests
{
    private static readonly (int Index, string Name, string? Value)[] s_expected =
    [
        (2, "accept", null),
        (3, "accept", "application/json"),
        (4, "accept", "*/*"),
        (5, "accept-encoding", null),
        (6, "accept-language", null),
        (7, "authorization", null),
        (8, "cache-control", null),
        (9, "cache-control", "no-cache"),
        (10, "cache-control", "no-store"),
        (11, "content-encoding", null),
        (12, "content-length", null),
        (13, "content-type", null),
        (14, "content-type", "application/json; charset=utf-8"),
        (15, "content-type", "application/json"),
        (16, "content-type", "text/plain; charset=utf-8"),
        (17, "content-type", "application/problem+json"),
        (18, "content-type", "application/problem+json; charset=utf-8"),
        (19, "content-type", "application/octet-stream"),
        (20, "content-type", "text/html; charset=utf-8"),
        (21, "content-type", "application/x-www-form-urlencoded"),
        (22, "cookie", null),
        (23, "date", null),
        (24, "etag", null),
        (25, "if-match", null),
        (26, "if-none-match", null),
        (27, "if-modified-since", null),
        (28, "last-modified", null),
        (29, "location", null),
        (30, "server", null),
        (31, "set-cookie", null),
        (32, "user-agent", null),
        (33, "vary", null),
        (34, "x-request-id", null),
        (35, "traceparent", null),
        (36, "tracestate", null),
        (37, "content-disposition", null),
        (38, "content-range", null),
        (39, "range", null),
        (40, "accept-ranges", null),
        (41, "allow", null),
        (42, "www-authenticate", null),
        (43, "expires", null),
        (44, "origin", null),
        (45, "referer", null),
        (46, "content-language", null),
        (47, "retry-after", null),
        (48, "x-content-type-options", "nosniff"),
        (49, "baggage", null),
    ];

    [Test]
    public void TableIsExactlyTheDocumentedOne()
    {
        var actual = new List<(int, string, string?)>();
        for (var index = 0; index < StaticTable.FirstIndex + StaticTable.Count + 5; index++)
        {
            if (StaticTable.TryGetEntry((ulong)index, out var name, out var value))
            {
                actual.Add((index, name, value));
            }
        }

        Assert.That(actual, Is.EqualTo(s_expected));
        Assert.That(StaticTable.FirstIndex, Is.EqualTo(2));
    }

    [Test]
    public void IndexesZeroAndOneAreNotTableEntries()
    {
        Assert.That(StaticTable.TryGetEntry(HeaderCodec.EndOfBlock, out _, out _), Is.False);
        Assert.That(StaticTable.TryGetEntry(HeaderCodec.Literal, out _, out _), Is.False);
        Assert.That(StaticTable.TryGetEntry(ulong.MaxValue, out _, out _), Is.False);
    }

    [Test]
    public void EveryEntryEncodesToItsOwnIndex()
    {
        foreach (var (index, name, value) in s_expected)
        {
            var found = StaticTable.Find(name, value ?? "some other value", out var valueIncluded);

            Assert.That(found, Is.EqualTo(index), $"{name}: {value}");
            Assert.That(valueIncluded, Is.EqualTo(value is not null), $"{name}: {value}");
        }
    }

    [Test]
    public void NameNotInTheTableIsNotFound()
    {
        Assert.That(StaticTable.Find("x-custom", "1", out var valueIncluded), Is.EqualTo(0));
        Assert.That(valueIncluded, Is.False);
    }
}
