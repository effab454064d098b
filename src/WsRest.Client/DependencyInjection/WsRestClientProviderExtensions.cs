using System.Text;

namespace WsRest.Client;

/// <summary>Extension methods for <see cref="IWsRestClientProvider"/>.</summary>
public static class WsRestClientProviderExtensions
{
    // TypeNameHelper writes built-in types by their C# keyword (Client<int>).
    private static readonly Dictionary<Type, string> s_keywords = new()
    {
        [typeof(bool)] = "bool", [typeof(byte)] = "byte", [typeof(char)] = "char", [typeof(decimal)] = "decimal",
        [typeof(double)] = "double", [typeof(float)] = "float", [typeof(int)] = "int", [typeof(long)] = "long",
        [typeof(object)] = "object", [typeof(sbyte)] = "sbyte", [typeof(short)] = "short", [typeof(string)] = "string",
        [typeof(uint)] = "uint", [typeof(ulong)] = "ulong", [typeof(ushort)] = "ushort", [typeof(void)] = "void",
    };

    /// <summary>
    /// The shared client that the typed <see cref="HttpClient"/> <typeparamref name="TClient"/> sends
    /// through: the one registered with <c>services.AddHttpClient&lt;TClient&gt;().AddWebSocketTransport(...)</c>
    /// (or <c>AddHttpClient&lt;TClient, TImplementation&gt;</c>).
    /// </summary>
    /// <typeparam name="TClient">The typed client, as given to <c>AddHttpClient</c>; its name is the client's name, as there.</typeparam>
    /// <param name="provider">The provider to ask.</param>
    /// <exception cref="InvalidOperationException"><c>AddWebSocketTransport</c> was not called for that client.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The client's options are invalid.</exception>
    /// <exception cref="ObjectDisposedException">The container was disposed.</exception>
    public static WsRestClient GetClientForHttpClient<TClient>(this IWsRestClientProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        return provider.GetClientForHttpClient(TypedClientName(typeof(TClient)));
    }

    /// <summary>
    /// The name <c>AddHttpClient&lt;TClient&gt;</c> gives a typed client: the type's short name, with
    /// generic arguments written out (<c>Client&lt;Order&gt;</c>), as Microsoft.Extensions.Http's
    /// <c>TypeNameHelper.GetTypeDisplayName(type, fullName: false)</c> writes it.
    /// </summary>
    internal static string TypedClientName(Type type)
    {
        if (!type.IsGenericType)
        {
            return s_keywords.TryGetValue(type, out var keyword) ? keyword : type.Name;
        }

        var name = new StringBuilder(type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]).Append('<');
        var arguments = type.GetGenericArguments();
        for (var i = 0; i < arguments.Length; i++)
        {
            name.Append(i == 0 ? "" : ",").Append(TypedClientName(arguments[i]));
        }

        return name.Append('>').ToString();
    }
}
