using WsRest.CommandLine;
using WsRest.Load;

// Compares transports side by side in one process: see docs/benchmarks.md.
if (args is ["--idle-client", ..])
{
    // Hidden: the client half of --idle, started by IdleBench in a process of its own.
    return await IdleClient.RunAsync(args[1..]);
}

return await CommandLines.InvokeAsync(new LoadCommandLine().Create(RunAsync), args);

static async Task<int> RunAsync(LoadOptions options)
{
    using var progress = ConsoleProgress.StartIfInteractive();
    LoadProgress.Line = progress;
    LoadProgress.Report(options switch
    {
        { Idle: true } => "--idle: starting",
        { PubSub: true } => "--pubsub: starting",
        { Cluster: true } => "--cluster: starting",
        { UploadMemory: true } => "--upload-memory: starting",
        _ => "starting the bench server",
    });
    return options switch
    {
        { Idle: true } => await IdleBench.RunAsync(options),
        // A different program in the same process shape: event fan-out instead of request/response.
        { PubSub: true } => await PubSubBench.RunAsync(options),
        { Cluster: true } => await ClusterBench.RunAsync(options),
        { UploadMemory: true } => await UploadMemoryBench.RunAsync(options),
        _ => await RequestResponseBench.RunAsync(options),
    };
}
