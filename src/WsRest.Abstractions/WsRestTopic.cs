namespace WsRest;

/// <summary>
/// Topic names for pub/sub (docs/pubsub.md): one or more segments separated by '/', each made of
/// ASCII letters, digits, '.', '_' and '-'; at most <see cref="MaxLength"/> characters; case-sensitive.
/// Example: <c>pets/created</c>.
/// </summary>
public static class WsRestTopic
{
    /// <summary>The longest topic name.</summary>
    public const int MaxLength = 256;

    /// <summary>The syntax, as error messages state it.</summary>
    public const string Syntax = "segments of [A-Za-z0-9._-] separated by '/', at most 256 characters";

    /// <summary>True when <paramref name="topic"/> follows the topic syntax.</summary>
    public static bool IsValid(string? topic)
    {
        if (string.IsNullOrEmpty(topic) || topic.Length > MaxLength || topic[0] == '/' || topic[^1] == '/')
        {
            return false;
        }

        var previousSlash = false;
        foreach (var c in topic)
        {
            if (c == '/')
            {
                if (previousSlash)
                {
                    return false;
                }

                previousSlash = true;
                continue;
            }

            previousSlash = false;
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="topic"/> is not valid.</summary>
    public static void Validate(string topic, string? paramName = null)
    {
        if (!IsValid(topic))
        {
            throw new ArgumentException($"'{topic}' is not a valid topic: {Syntax}.", paramName ?? nameof(topic));
        }
    }
}
