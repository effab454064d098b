namespace PetStore.Browser.Tests;

/// <summary>Files of the repository the tests run from (found by walking up to <c>WsRest.sln</c>).</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relativePath)
        => Path.Combine(Root, relativePath.Replace('/', Path.DirectorySeparatorChar));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "WsRest.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No WsRest.sln above {AppContext.BaseDirectory}.");
    }
}
