using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Snippets.GettingStarted;

/// <summary>The server of docs/getting-started.md, "Authentication": the upgrade needs a bearer token.</summary>
public static class SecuredPetServer
{
    public static WebApplication Create(string[] args)
    {
        #region getting-started.auth-server
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddWsRest();
        builder.Services.AddAuthentication(BearerTokenDefaults.AuthenticationScheme).AddBearerToken();   // or JWT bearer, cookies, certificates
        builder.Services.AddAuthorization();
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();

        // Sign-in over plain HTTP answers { "accessToken": "...", "expiresIn": 3600, ... }. Check real credentials here.
        app.MapPost("/login", (Login login) => login.Password == "let-me-in"
            ? Results.SignIn(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, login.User)], "password")))
            : Results.Unauthorized());

        app.MapGet("/me", (ClaimsPrincipal user) => user.Identity?.Name).RequireAuthorization();
        app.MapWsRest("/wsrest").RequireAuthorization();   // the upgrade is authenticated once; every request on it runs as that user
        #endregion

        return app;
    }
}
