// The page's calls to the PetStore API: over the WsRest connection (client.fetch) or, with the switch
// on, over the browser's own fetch. Both take the same arguments and give a real Response, so the
// rest of the page cannot tell them apart; every call is reported to `onCall` for the page's log.

/** A non-2xx answer; `message` is the problem details' title and errors. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(describeProblem(status, problem));
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }
}

export class PetStoreApi {
  /** @param client a started WsRestClient; @param onCall receives {method, path, via, status|error, ms}. */
  constructor(client, onCall) {
    this.client = client;
    this.onCall = onCall;
    this.useHttp = false;
  }

  get via() {
    return this.useHttp ? 'HTTP' : 'WsRest';
  }

  /** Sends a request; resolves with the parsed body (undefined for 204), rejects with ApiError for non-2xx. */
  async call(method, path, body, signal) {
    const headers = { accept: 'application/json' };
    const init = { method, headers, signal };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const via = this.via;
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let response;
    try {
      response = await (this.useHttp ? fetch(path, init) : this.client.fetch(path, init));
    } catch (error) {
      this.onCall({ method, path, via, error: error.name, ms: elapsed() });
      throw error;
    }
    const data = await readBody(response);
    this.onCall({ method, path, via, status: response.status, ms: elapsed() });
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }
}

async function readBody(response) {
  if (response.status === 204) return undefined;
  const type = response.headers.get('content-type') ?? '';
  return /[/+]json\b/.test(type) ? response.json() : response.text();
}

function describeProblem(status, problem) {
  if (!problem || typeof problem !== 'object') return `${status}: ${problem || 'no details'}`;
  const errors = Object.values(problem.errors ?? {}).flat();
  return [problem.title ?? `${status}`, ...errors].join(' ');
}
