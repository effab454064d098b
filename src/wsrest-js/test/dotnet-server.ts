import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const project = join(repositoryRoot, 'tests', 'WsRest.Js.TestServer');
const defaultDll = join(project, 'bin', 'Debug', 'net10.0', 'WsRest.Js.TestServer.dll');

/**
 * tests/WsRest.Js.TestServer as a child process on 127.0.0.1, port 0: the real .NET server the
 * end-to-end tests talk to. Built once if its dll is missing (scripts/js.sh builds it first).
 */
export class DotnetServer {
  private constructor(private readonly child: ChildProcess, readonly httpUrl: string) {}

  get wsrestUrl(): string {
    return `${this.httpUrl.replace(/^http/, 'ws')}/wsrest`;
  }

  static async start(): Promise<DotnetServer> {
    const dll = process.env.WSREST_JS_TEST_SERVER_DLL ?? defaultDll;
    if (!existsSync(dll)) {
      execFileSync('dotnet', ['build', project, '-c', 'Debug', '-v', 'quiet', '-nologo'], { stdio: 'inherit' });
    }
    const child = spawn('dotnet', [dll], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1' },
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('The test server printed no LISTENING line within 60 s')), 60_000);
      child.once('exit', (code) => reject(new Error(`The test server exited with ${code} before listening`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.startsWith('LISTENING ')) {
          clearTimeout(timer);
          resolve(line.slice('LISTENING '.length).trim());
        }
      });
    });
    return new DotnetServer(child, url);
  }

  /** A control call over plain HTTP (Node's own fetch), not over WsRest. */
  async http(method: string, path: string, body?: string): Promise<Response> {
    const response = await fetch(this.httpUrl + path, { method, body, headers: body ? { 'content-type': 'application/json' } : {} });
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status}`);
    return response;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
