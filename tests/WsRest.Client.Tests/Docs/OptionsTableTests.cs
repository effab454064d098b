using System.Collections;
using WsRest.Client;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace WsRest.Client.Tests.Docs;

/// <summary>
/// Every public options class of the packages has one table in docs/, marked
/// <c>&lt;!-- options: TYPE --&gt;</c>, with one row per public property whose Default column starts
/// with the value a new instance has. A property added, renamed or re-defaulted without its row fails here.
/// </summary>
[TestFixture]
public sealed partial class OptionsTableTests
{
    /// <summary>The options classes the packages had when this test was written.</summary>
    private static readonly string[] KnownOptions =
    [
        "WsRestClientOptions", "WsRestReconnectOptions", "WsRestServerOptions", "WsRestCompressionOptions", "WsRestPubSubOptions", "WsRestRedisOptions",
    ];

    [Test]
    public void ThePackagesHaveTheKnownOptionsClasses()
    {
        // A guard for the reflection below: if it found nothing, every other test here would pass vacuously.
        Assert.That(OptionsTypes().Select(t => t.Name), Is.SupersetOf(KnownOptions));
    }

    [TestCaseSource(nameof(OptionsTypeNames))]
    public void EveryPropertyHasARowWithItsDefault(string typeName)
    {
        var type = OptionsTypes().Single(t => t.Name == typeName);
        var tables = Tables().Where(t => t.Type == typeName).ToList();
        Assert.That(tables, Has.Count.EqualTo(1), $"one table marked <!-- options: {typeName} --> in docs/*.md (found in: {string.Join(", ", tables.Select(t => t.Page))})");
        var table = tables[0];
        var instance = Activator.CreateInstance(type)!;
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance);

        using (Assert.EnterMultipleScope())
        {
            foreach (var property in properties)
            {
                var value = property.GetValue(instance);
                var renderings = Render(value, property.PropertyType);
                var suggestion = $"| `{property.Name}` | {renderings.FirstOrDefault() ?? "?"} | ... |";
                if (!table.Rows.TryGetValue(property.Name, out var row))
                {
                    Assert.Fail($"{table.Page}: the table of {typeName} has no row for `{property.Name}`; add:\n{suggestion}");
                }
                else if (!renderings.Any(r => StartsWithValue(row.Default, r)))
                {
                    Assert.Fail($"{table.Page}:{row.Line}: the default of `{typeName}.{property.Name}` is {string.Join(" or ", renderings.Select(r => $"'{r}'"))}, the table says '{row.Default}'.");
                }
            }

            foreach (var documented in table.Rows.Keys.Where(name => properties.All(p => p.Name != name)))
            {
                Assert.Fail($"{table.Page}:{table.Rows[documented].Line}: the table of {typeName} documents `{documented}`, which {typeName} does not have.");
            }
        }
    }

    [Test]
    public void EveryOptionsTableNamesAnOptionsClass()
    {
        var names = OptionsTypes().Select(t => t.Name).ToHashSet(StringComparer.Ordinal);

        Assert.That(Tables().Where(t => !names.Contains(t.Type)).Select(t => $"{t.Page}: {t.Type}"), Is.Empty, "tables marked for a type the packages do not have");
    }

    private static IEnumerable<string> OptionsTypeNames() => OptionsTypes().Select(t => t.Name);

    /// <summary>The public, instantiable classes named *Options of the WsRest assemblies.</summary>
    private static IEnumerable<Type> OptionsTypes()
        => ApiOverviewTests.PackageAssemblies().SelectMany(a => a.Assembly.GetExportedTypes())
            .Where(t => t.IsClass && !t.IsAbstract && t.Name.EndsWith("Options", StringComparison.Ordinal) && t.GetConstructor(Type.EmptyTypes) is not null)
            .OrderBy(t => t.Name, StringComparer.Ordinal);

    /// <summary>What a Default cell may start with for <paramref name="value"/>.</summary>
    private static List<string> Render(object? value, Type declared)
    {
        switch (value)
        {
            case null:
                return ["null", "none", "(required)"];
            case bool b:
                return [b ? "true" : "false"];
            case Enum e:
                return [e.ToString()];
            case string s:
                return [s, $"\"{s}\""];
            case int or long:
                var n = Convert.ToInt64(value, CultureInfo.InvariantCulture);
                List<string> numbers = [n.ToString(CultureInfo.InvariantCulture), n.ToString("N0", CultureInfo.InvariantCulture)];
                if (n > 0 && n % (1024 * 1024) == 0)
                {
                    numbers.Add($"{n / (1024 * 1024)} MiB");
                }

                if (n > 0 && n % 1024 == 0)
                {
                    numbers.Add($"{n / 1024} KiB");
                }

                return numbers;
            case TimeSpan t:
                List<string> times = [];
                if (t == Timeout.InfiniteTimeSpan)
                {
                    times.Add("infinite");
                }

                if (t.Ticks % TimeSpan.TicksPerHour == 0 && t.TotalHours >= 1)
                {
                    times.Add($"{t.TotalHours:0} h");
                }

                if (t.Ticks % TimeSpan.TicksPerMinute == 0 && t.TotalMinutes >= 1)
                {
                    times.Add($"{t.TotalMinutes:0} min");
                }

                if (t.Ticks % TimeSpan.TicksPerSecond == 0)
                {
                    times.Add($"{t.TotalSeconds:0} s");
                }

                if (t.Ticks % TimeSpan.TicksPerMillisecond == 0)
                {
                    times.Add($"{t.TotalMilliseconds:0} ms");
                }

                return times;
            case TimeProvider provider when ReferenceEquals(provider, TimeProvider.System):
                return ["TimeProvider.System"];
            case WsRestEndpoints { Count: 0 }:
                return ["empty"];
            case Delegate method:
                // A policy delegate defaults to a public method; the row names it.
                return [method.Method.Name];
            case IEnumerable sequence when !sequence.GetEnumerator().MoveNext():
                return ["empty"];
            default:
                if (OptionsTypes().Contains(declared))
                {
                    // A nested options object: its own table holds the defaults; the row says where.
                    return [$"see {declared.Name}"];
                }

                throw new InvalidOperationException($"No rendering of a default of type {declared}: extend {nameof(OptionsTableTests)}.{nameof(Render)}.");
        }
    }

    /// <summary><paramref name="cell"/> (code spans unwrapped) starts with <paramref name="value"/>, not followed by more of a word or number.</summary>
    private static bool StartsWithValue(string cell, string value)
    {
        var text = cell.Replace("`", string.Empty, StringComparison.Ordinal).Trim();
        return text.StartsWith(value, StringComparison.OrdinalIgnoreCase)
            && (text.Length == value.Length || !char.IsLetterOrDigit(text[value.Length]));
    }

    private static List<OptionsTable> Tables()
    {
        var tables = new List<OptionsTable>();
        foreach (var page in Directory.GetFiles(DocPages.PathOf("docs"), "*.md").Select(p => "docs/" + Path.GetFileName(p)).Order(StringComparer.Ordinal))
        {
            var lines = DocPages.Read(page).Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                if (Marker().Match(lines[i]) is not { Success: true } marker)
                {
                    continue;
                }

                var rows = new Dictionary<string, Row>(StringComparer.Ordinal);
                var j = i + 1;
                for (; j < lines.Length && lines[j].StartsWith('|'); j++)
                {
                    var cells = lines[j].Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
                    if (cells.Length >= 2 && PropertyCell().Match(cells[0]) is { Success: true } property)
                    {
                        if (!rows.TryAdd(property.Groups["name"].Value, new Row(cells[1], j + 1)))
                        {
                            throw new InvalidOperationException($"{page}:{j + 1}: `{property.Groups["name"].Value}` has two rows.");
                        }
                    }
                }

                if (j == i + 1)
                {
                    throw new InvalidOperationException($"{page}:{i + 1}: the options marker must be followed directly by its table.");
                }

                tables.Add(new OptionsTable(marker.Groups["type"].Value, page, rows));
            }
        }

        return tables;
    }

    private sealed record OptionsTable(string Type, string Page, Dictionary<string, Row> Rows);

    private sealed record Row(string Default, int Line);

    [GeneratedRegex(@"^<!-- options: (?<type>[A-Za-z0-9_]+) -->\s*$")]
    private static partial Regex Marker();

    [GeneratedRegex(@"^`(?<name>[A-Za-z0-9_]+)`$")]
    private static partial Regex PropertyCell();
}
