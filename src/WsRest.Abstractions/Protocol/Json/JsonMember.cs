using System.Text.Json;

namespace WsRest.Protocol.Json;

/// <summary>The member names of docs/protocol.md §13.3–§13.4. Each name has one JSON type in every frame.</summary>
internal enum JsonMember
{
    Unknown = -1,
    T,
    Uid,
    E,
    M,
    R,
    C,
    H,
    D,
    De,
    V,
    S,
    Md,
    Prev,
    Auth,
    Id,
    N,
    Code,
    Last,
    Reason,
    P,
    Topic,
    From,
    K,
    Seq,
    Ct,
    To,
    Epoch,
    Count,
}

/// <summary>What JSON value a member holds.</summary>
internal enum JsonMemberKind
{
    String,
    Integer,
    Boolean,
    Array,
    Object,
    Any,
}

internal static class JsonMembers
{
    private static readonly (byte[] Name, JsonMemberKind Kind)[] s_members =
    [
        ("t"u8.ToArray(), JsonMemberKind.String),
        ("uid"u8.ToArray(), JsonMemberKind.Integer),
        ("e"u8.ToArray(), JsonMemberKind.Boolean),
        ("m"u8.ToArray(), JsonMemberKind.String),
        ("r"u8.ToArray(), JsonMemberKind.String),
        ("c"u8.ToArray(), JsonMemberKind.Integer),
        ("h"u8.ToArray(), JsonMemberKind.Array),
        ("d"u8.ToArray(), JsonMemberKind.Any),
        ("de"u8.ToArray(), JsonMemberKind.String),
        ("v"u8.ToArray(), JsonMemberKind.Integer),
        ("s"u8.ToArray(), JsonMemberKind.Object),
        ("md"u8.ToArray(), JsonMemberKind.Array),
        ("prev"u8.ToArray(), JsonMemberKind.String),
        ("auth"u8.ToArray(), JsonMemberKind.String),
        ("id"u8.ToArray(), JsonMemberKind.String),
        ("n"u8.ToArray(), JsonMemberKind.Integer),
        ("code"u8.ToArray(), JsonMemberKind.Integer),
        ("last"u8.ToArray(), JsonMemberKind.Integer),
        ("reason"u8.ToArray(), JsonMemberKind.String),
        ("p"u8.ToArray(), JsonMemberKind.String),
        ("topic"u8.ToArray(), JsonMemberKind.String),
        ("from"u8.ToArray(), JsonMemberKind.Integer),
        ("k"u8.ToArray(), JsonMemberKind.String),
        ("seq"u8.ToArray(), JsonMemberKind.Integer),
        ("ct"u8.ToArray(), JsonMemberKind.String),
        ("to"u8.ToArray(), JsonMemberKind.Integer),
        ("epoch"u8.ToArray(), JsonMemberKind.Integer),
    ];

    /// <summary>The name as written on the wire, for error texts.</summary>
    public static string Name(JsonMember member) => System.Text.Encoding.UTF8.GetString(s_members[(int)member].Name);

    public static JsonMemberKind KindOf(JsonMember member) => s_members[(int)member].Kind;

    /// <summary>Which member the current property name is; an escaped name is compared after unescaping.</summary>
    public static JsonMember Identify(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.ValueSpan.Length > 6)
        {
            for (var i = 0; i < s_members.Length; i++)
            {
                if (reader.ValueTextEquals(s_members[i].Name))
                {
                    return (JsonMember)i;
                }
            }

            return JsonMember.Unknown;
        }

        var name = reader.ValueSpan;
        for (var i = 0; i < s_members.Length; i++)
        {
            if (name.SequenceEqual(s_members[i].Name))
            {
                return (JsonMember)i;
            }
        }

        return JsonMember.Unknown;
    }
}
