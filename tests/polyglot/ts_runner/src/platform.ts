// The runner API (docs/temporal-contract.md, "The runner API"): everything this
// runner does besides Temporal, over HTTP, with a runner token.

export interface Step {
  type: string;
  data: Record<string, unknown>;
  key: string;
}

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
}

export interface RunConfig {
  phase: string;
  context: { execution_id: string; session_id: string; agent_id: number; agent_slug: string; owner_id: number | null };
  model: string;
  instructions: string;
  tools: string[];
  max_tool_calls: number;
  model_options: Record<string, unknown>;
}

export class NotFound extends Error {}

export class Platform {
  constructor(private readonly url: string, private readonly credential: string) {}

  private async call(method: string, path: string, body?: unknown): Promise<any> {
    // Every call here is idempotent (keyed events; start and finish do nothing twice),
    // so a connection error is simply tried again, a few times.
    let delay = 100;
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await fetch(`${this.url}/api/v1/runner${path}`, {
          method,
          headers: { Authorization: `Runner ${this.credential}`, 'Content-Type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        if (response.status === 404) throw new NotFound(await response.text());
        if (response.status >= 502 && response.status <= 504 && attempt < 6) throw new TypeError('retry');
        if (!response.ok) throw new Error(`runner API ${method} ${path}: ${response.status} ${await response.text()}`);
        return response.status === 204 ? {} : await response.json();
      } catch (err) {
        if (!(err instanceof TypeError) || attempt >= 6) throw err; // fetch's network errors are TypeErrors
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  start(executionId: string, events: Step[]): Promise<RunConfig> {
    return this.call('POST', `/executions/${executionId}/start/`, { events });
  }

  append(executionId: string, events: Step[], usage: Usage | null): Promise<{ sequences: number[]; phase: string }> {
    return this.call('POST', `/executions/${executionId}/events/`, { events, usage });
  }

  finish(
    executionId: string,
    end: { phase: string; output?: string | null; error?: string; usage?: Usage | null; events?: Step[] },
  ): Promise<{ changed: boolean; phase: string }> {
    return this.call('POST', `/executions/${executionId}/finish/`, end);
  }

  async thread(sessionId: string, agentId: string): Promise<string> {
    return (await this.call('POST', `/sessions/${sessionId}/thread/`, { agent_id: agentId })).thread_id;
  }

  async token(executionId: string, delta: string): Promise<void> {
    try {
      await this.call('POST', `/executions/${executionId}/tokens/`, { delta });
    } catch {
      // live deltas are never persisted: a lost one costs nothing
    }
  }
}
