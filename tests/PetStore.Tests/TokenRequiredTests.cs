using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using PetStore.Api;
using WsRest.Client;

namespace PetStore.Tests;

/// <summary>
/// The PetStore API with <c>PetStore:RequireToken=true</c>: JWT bearer, configured the standard way
/// (<c>Authentication:Schemes:Bearer</c>, as <c>dotnet user-jwts</c> writes it), guards the WsRest
/// upgrade and the API over plain HTTP; a WsRest client authenticates once, on the upgrade.
/// Off by default (every other test here runs the API without tokens).
/// </summary>
public sealed class TokenRequiredTests
{
    private const string Issuer = "petstore-tests";
    private const string Audience = "petstore";
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);

    private WebApplication _app = null!;
    private Uri _baseAddress = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        using var timeout = TestTimeout.Create();
        var builder = PetStoreApp.CreateBuilder(
        [
            $"--{PetStoreAuthentication.RequireTokenKey}=true",
            $"--Authentication:Schemes:Bearer:ValidIssuer={Issuer}",
            $"--Authentication:Schemes:Bearer:ValidAudiences:0={Audience}",
            $"--Authentication:Schemes:Bearer:SigningKeys:0:Issuer={Issuer}",
            $"--Authentication:Schemes:Bearer:SigningKeys:0:Value={Convert.ToBase64String(Key)}",
        ]);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        _app = PetStoreApp.Build(builder);
        await _app.StartAsync(timeout.Token);
        _baseAddress = PetStoreApp.GetBaseAddress(_app);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    [Test]
    public async Task WithATokenTheUpgradeIsAcceptedAndTunneledRequestsRunAsItsUser()
    {
        using var timeout = TestTimeout.Create();
        var token = IssueToken("alice");
        await using var client = new WsRestClient(new WsRestClientOptions
        {
            Endpoint = PetStoreApp.GetWsRestEndpoint(_baseAddress),
            ConfigureWebSocket = ws => ws.SetRequestHeader("Authorization", "Bearer " + token),
        });
        using var http = new HttpClient(new WebSocketMessageHandler(client)) { BaseAddress = _baseAddress };

        // No Authorization header on the tunneled request: the upgrade's identity is the request's.
        using var response = await http.GetAsync("pets", timeout.Token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task WithoutATokenTheUpgradeGets401()
    {
        using var timeout = TestTimeout.Create();
        await using var client = new WsRestClient(new WsRestClientOptions { Endpoint = PetStoreApp.GetWsRestEndpoint(_baseAddress) });

        var error = Assert.CatchAsync<HttpRequestException>(() => client.ConnectAsync(timeout.Token));

        Assert.That(error!.ToString(), Does.Contain("401"));
    }

    [Test]
    public async Task PlainHttpNeedsTheTokenOnEachRequestAndThePageStaysPublic()
    {
        using var timeout = TestTimeout.Create();
        using var http = new HttpClient { BaseAddress = _baseAddress };

        using var anonymous = await http.GetAsync("pets", timeout.Token);
        using var forged = await SendAsync(http, "pets", IssueToken("mallory", key: RandomNumberGenerator.GetBytes(32)), timeout.Token);
        using var valid = await SendAsync(http, "pets", IssueToken("alice"), timeout.Token);
        using var page = await http.GetAsync("/", timeout.Token);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(forged.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "a token signed with another key");
            Assert.That(valid.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the web page itself needs no token");
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, string path, string token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request, cancellationToken);
    }

    private static string IssueToken(string name, byte[]? key = null) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Issuer,
        Audience = Audience,
        Subject = new ClaimsIdentity([new Claim("name", name)]),
        Expires = DateTime.UtcNow.AddMinutes(10),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key ?? Key), SecurityAlgorithms.HmacSha256),
    });
}
