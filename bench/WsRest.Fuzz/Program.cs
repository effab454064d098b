using WsRest.CommandLine;
using WsRest.Fuzz;

// Long mode of the codec fuzz harness (docs/fuzzing.md); FuzzCommandLine holds the options and modes.
// Exit code: 0 nothing found, 1 findings, 2 bad arguments.
if (args is ["engine", ..])
{
    // The stateful engine fuzzer, with arguments of its own (EngineMode.cs; `engine --help`).
    return await EngineMode.RunAsync(args[1..]);
}

return await CommandLines.InvokeAsync(FuzzCommandLine.Create(), args);
