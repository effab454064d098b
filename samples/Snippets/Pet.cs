namespace Snippets;

#region getting-started.pet
public sealed record Pet(int Id, string Name);
#endregion

// What the sign-in endpoint takes, and the part of its answer a client needs.
#region getting-started.auth-records
public sealed record Login(string User, string Password);

public sealed record BearerToken(string AccessToken);
#endregion
