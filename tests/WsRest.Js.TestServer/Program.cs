using WsRest.Js.TestServer;

// Listens on 127.0.0.1, port 0 unless --urls says otherwise, and prints "LISTENING <url>" once it
// accepts connections: the Node tests read that line to find the server.
var app = TestServerApp.Build(args);
await app.StartAsync();
Console.WriteLine($"LISTENING {TestServerApp.ListeningUrl(app)}");
Console.Out.Flush();
await app.WaitForShutdownAsync();
