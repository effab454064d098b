using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace WsRest.Tests.Security;

/// <summary>
/// Real JWT bearer authentication (Microsoft.AspNetCore.Authentication.JwtBearer) with tokens signed
/// here with a symmetric key made for this test run, so no identity provider is needed. The token
/// comes from <c>Authorization: Bearer</c>, or from the <c>access_token</c> query parameter where the
/// app allows it (browsers cannot set headers on a WebSocket upgrade; SignalR's documented pattern).
/// </summary>
internal static class TestJwt
{
    public const string SchemeName = JwtBearerDefaults.AuthenticationScheme;

    private const string Issuer = "https://issuer.wsrest.test";
    private const string Audience = "wsrest-tests";

    private static readonly SymmetricSecurityKey Key = new(RandomNumberGenerator.GetBytes(32));

    /// <summary>alice, role admin; valid for an hour.</summary>
    public static string AliceToken { get; } = Issue("alice", [new Claim("role", "admin")]);

    /// <summary>bob, role user, claim scope=orders.read; valid for an hour.</summary>
    public static string BobToken { get; } = Issue("bob", [new Claim("role", "user"), new Claim("scope", "orders.read")]);

    /// <summary>A signed token for <paramref name="name"/> that expires at <paramref name="expires"/> (default: in an hour).</summary>
    public static string Issue(string name, IEnumerable<Claim>? claims = null, DateTimeOffset? expires = null)
    {
        var now = DateTime.UtcNow;
        var identity = new ClaimsIdentity([new Claim("name", name), .. claims ?? []]);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = identity,
            IssuedAt = now,
            NotBefore = now,
            Expires = expires?.UtcDateTime ?? now.AddHours(1),
            SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>JWT bearer as the default scheme, validating the tokens <see cref="Issue"/> makes.</summary>
    public static AuthenticationBuilder AddTestJwtBearer(this IServiceCollection services, Func<HttpRequest, bool>? acceptsQueryToken = null)
        => services.AddAuthentication(SchemeName).AddJwtBearer(o =>
        {
            o.MapInboundClaims = false;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = Issuer,
                ValidAudience = Audience,
                IssuerSigningKey = Key,
                NameClaimType = "name",
                RoleClaimType = "role",
            };
            if (acceptsQueryToken is not null)
            {
                o.Events = new JwtBearerEvents
                {
                    OnMessageReceived = context =>
                    {
                        // The header wins; the query string only where the app allows it.
                        if (!context.Request.Headers.ContainsKey("Authorization") && acceptsQueryToken(context.Request)
                            && context.Request.Query.TryGetValue("access_token", out var token))
                        {
                            context.Token = token.ToString();
                        }

                        return Task.CompletedTask;
                    },
                };
            }
        });
}
