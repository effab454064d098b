namespace WsRest.Client.Serving;

/// <summary>
/// A route template of literal segments and <c>{name}</c> parameters (one whole segment each), e.g.
/// <c>/displays/{screen}/brightness</c>. Literals match case-insensitively and parameters match one
/// non-empty segment, as in ASP.NET Core routing; there are no constraints, defaults, optional or
/// catch-all parameters (docs/reverse.md, "Serving a few endpoints"; docs/decisions.md says why).
/// </summary>
internal sealed class RoutePattern
{
    private static readonly System.Buffers.SearchValues<char> s_notInNames = System.Buffers.SearchValues.Create("{}/?*:=");

    private readonly Segment[] _segments;

    private RoutePattern(string text, Segment[] segments)
    {
        Text = text;
        _segments = segments;
    }

    public string Text { get; }

    public static RoutePattern Parse(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        if (pattern[0] != '/')
        {
            throw new ArgumentException($"The route '{pattern}' must start with '/'.", nameof(pattern));
        }

        var parts = pattern.Trim('/').Split('/');
        var segments = new List<Segment>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in parts)
        {
            if (part.Length == 0)
            {
                if (parts.Length == 1)
                {
                    break; // "/": the root, no segments
                }

                throw new ArgumentException($"The route '{pattern}' has an empty segment.", nameof(pattern));
            }

            if (part[0] == '{' && part[^1] == '}' && part.Length > 2)
            {
                var name = part[1..^1];
                if (name.AsSpan().IndexOfAny(s_notInNames) >= 0)
                {
                    throw new ArgumentException($"The route '{pattern}' has the parameter '{part}': only plain {{name}} parameters are supported.", nameof(pattern));
                }

                if (!names.Add(name))
                {
                    throw new ArgumentException($"The route '{pattern}' names the parameter '{name}' twice.", nameof(pattern));
                }

                segments.Add(new Segment(name, IsParameter: true));
            }
            else if (part.AsSpan().IndexOfAny('{', '}') >= 0)
            {
                throw new ArgumentException($"The route '{pattern}' has the segment '{part}': a parameter must be a whole segment, {{name}}.", nameof(pattern));
            }
            else
            {
                segments.Add(new Segment(part, IsParameter: false));
            }
        }

        return new RoutePattern(pattern, [.. segments]);
    }

    /// <summary>Matches a request path (already split into unescaped segments); the parameters' values when it matches.</summary>
    public bool TryMatch(string[] path, out Dictionary<string, string> values)
    {
        values = null!;
        if (path.Length != _segments.Length)
        {
            return false;
        }

        for (var i = 0; i < path.Length; i++)
        {
            if (!_segments[i].IsParameter && !string.Equals(_segments[i].Text, path[i], StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < path.Length; i++)
        {
            if (_segments[i].IsParameter)
            {
                values[_segments[i].Text] = path[i];
            }
        }

        return true;
    }

    /// <summary>The path's segments, unescaped; an empty segment (<c>//</c>) matches nothing.</summary>
    public static string[] SplitPath(string path)
    {
        var trimmed = path.Trim('/');
        return trimmed.Length == 0 ? [] : [.. trimmed.Split('/').Select(Uri.UnescapeDataString)];
    }

    private readonly record struct Segment(string Text, bool IsParameter);
}
