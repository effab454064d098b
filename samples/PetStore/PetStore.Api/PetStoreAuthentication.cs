using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace PetStore.Api;

/// <summary>
/// Optional JWT bearer authentication: off by default, so the demo runs with no identity provider.
/// With <c>PetStore:RequireToken=true</c> the WsRest upgrade and the <c>/pets</c> and <c>/kiosks</c>
/// endpoints need a valid token; JwtBearer reads its issuer, audiences and signing keys from the
/// standard section <c>Authentication:Schemes:Bearer</c> (what <c>dotnet user-jwts create</c> writes).
/// A WsRest client authenticates once, on the upgrade; its tunneled requests run as that user.
/// </summary>
public static class PetStoreAuthentication
{
    /// <summary>The switch: <c>true</c> requires a token.</summary>
    public const string RequireTokenKey = "PetStore:RequireToken";

    /// <summary>Whether <paramref name="configuration"/> turns token authentication on.</summary>
    public static bool IsRequired(IConfiguration configuration) => configuration.GetValue<bool>(RequireTokenKey);

    /// <summary>Registers JWT bearer authentication and authorization when the configuration asks for it.</summary>
    public static void AddIfRequired(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!IsRequired(builder.Configuration))
        {
            return;
        }

        builder.Services.AddAuthorization();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
        {
            o.MapInboundClaims = false;
            o.Events = new JwtBearerEvents
            {
                // Browsers cannot set headers on a WebSocket upgrade: the page sends its token as
                // access_token, accepted on the WsRest path only (never on the API's own URLs).
                OnMessageReceived = context =>
                {
                    if (context.Request.Path.StartsWithSegments(PetStoreApp.WsRestPath)
                        && !context.Request.Headers.ContainsKey("Authorization")
                        && context.Request.Query.TryGetValue("access_token", out var token))
                    {
                        context.Token = token.ToString();
                    }

                    return Task.CompletedTask;
                },
            };
        });
    }
}
