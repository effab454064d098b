using System.Collections.Frozen;

namespace WsRest.Protocol;

/// <summary>
/// The wsrest.v1 static header table (docs/protocol.md §5.2). Index 0 ends a header block and index 1
/// introduces a literal, so table entries start at 2. An entry with a value stands for the whole
/// header; an entry without one is followed by a literal value. The table is part of the protocol:
/// appending needs a new protocol version, never reordering.
/// </summary>
internal static class StaticTable
{
    public const int FirstIndex = 2;

    private static readonly (string Name, string? Value)[] s_entries =
    [
        ("accept", null),                                           // 2
        ("accept", "application/json"),                             // 3
        ("accept", "*/*"),                                          // 4
        ("accept-encoding", null),                                  // 5
        ("accept-language", null),                                  // 6
        ("authorization", null),                                    // 7
        ("cache-control", null),                                    // 8
        ("cache-control", "no-cache"),                              // 9
        ("cache-control", "no-store"),                              // 10
        ("content-encoding", null),                                 // 11
        ("content-length", null),                                   // 12
        ("content-type", null),                                     // 13
        ("content-type", "application/json; charset=utf-8"),        // 14
        ("content-type", "application/json"),                       // 15
        ("content-type", "text/plain; charset=utf-8"),              // 16
        ("content-type", "application/problem+json"),               // 17
        ("content-type", "application/problem+json; charset=utf-8"),// 18
        ("content-type", "application/octet-stream"),               // 19
        ("content-type", "text/html; charset=utf-8"),               // 20
        ("content-type", "application/x-www-form-urlencoded"),      // 21
        ("cookie", null),                                           // 22
        ("date", null),                                             // 23
        ("etag", null),                                             // 24
        ("if-match", null),                                         // 25
        ("if-none-match", null),                                    // 26
        ("if-modified-since", null),                                // 27
        ("last-modified", null),                                    // 28
        ("location", null),                                         // 29
        ("server", null),                                           // 30
        ("set-cookie", null),                                       // 31
        ("user-agent", null),                                       // 32
        ("vary", null),                                             // 33
        ("x-request-id", null),                                     // 34
        ("traceparent", null),                                      // 35
        ("tracestate", null),                                       // 36
        ("content-disposition", null),                              // 37
        ("content-range", null),                                    // 38
        ("range", null),                                            // 39
        ("accept-ranges", null),                                    // 40
        ("allow", null),                                            // 41
        ("www-authenticate", null),                                 // 42
        ("expires", null),                                          // 43
        ("origin", null),                                           // 44
        ("referer", null),                                          // 45
        ("content-language", null),                                 // 46
        ("retry-after", null),                                      // 47
        ("x-content-type-options", "nosniff"),                      // 48
        ("baggage", null),                                          // 49
    ];

    private static readonly FrozenDictionary<string, NameEntry> s_byName = BuildIndex();

    public static int Count => s_entries.Length;

    /// <summary>Gets the entry at a wire index; false when the index is outside the table.</summary>
    public static bool TryGetEntry(ulong index, out string name, out string? value)
    {
        var offset = index - FirstIndex;
        if (index < FirstIndex || offset >= (ulong)s_entries.Length)
        {
            name = string.Empty;
            value = null;
            return false;
        }

        (name, value) = s_entries[offset];
        return true;
    }

    /// <summary>
    /// Finds the best entry for a header: a full match (name and value) if there is one, else a
    /// name-only entry. Returns 0 when the name is not in the table.
    /// </summary>
    public static int Find(string name, string value, out bool valueIncluded)
    {
        valueIncluded = false;
        if (!s_byName.TryGetValue(name, out var entry))
        {
            return 0;
        }

        foreach (var (candidate, index) in entry.Values)
        {
            if (string.Equals(candidate, value, StringComparison.Ordinal))
            {
                valueIncluded = true;
                return index;
            }
        }

        return entry.NameIndex;
    }

    private static FrozenDictionary<string, NameEntry> BuildIndex()
    {
        var byName = new Dictionary<string, NameEntry>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < s_entries.Length; i++)
        {
            var (name, value) = s_entries[i];
            var index = i + FirstIndex;
            if (!byName.TryGetValue(name, out var entry))
            {
                entry = new NameEntry();
                byName.Add(name, entry);
            }

            if (value is null)
            {
                entry.NameIndex = index;
            }
            else
            {
                entry.Values = [.. entry.Values, (value, index)];
            }
        }

        return byName.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    private sealed class NameEntry
    {
        public int NameIndex { get; set; }

        public (string Value, int Index)[] Values { get; set; } = [];
    }
}
