// A Stigmer runner in TypeScript, written from docs/temporal-contract.md alone:
// EnsureThread and ExecuteGraphton on the runner queues, the transcript written
// through the runner API. Environment: TEMPORAL_HOST_PORT, TEMPORAL_NAMESPACE,
// TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE, STIGMER_MAX_DELEGATION_DEPTH,
// STIGMER_PLATFORM_URL, STIGMER_RUNNER_TOKEN, STIGMER_HEARTBEAT_INTERVAL_SECONDS.
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { NativeConnection, Worker } from '@temporalio/worker';

import { NotFound, Platform, Step, Usage } from './platform';
import { Message, reply, runTool } from './scripted';

const env = process.env;
const platform = new Platform(env.STIGMER_PLATFORM_URL ?? '', env.STIGMER_RUNNER_TOKEN ?? '');
const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);
// The session's conversation, per thread: this runner's "checkpointer" (in memory).
const threads = new Map<string, Message[]>();

interface Timeouts {
  execute_heartbeat: number;
}

interface AgentExecutionInput {
  execution_id: string;
  agent_id: string;
  session_id: string;
  message: string;
  model?: string;
  timeouts: Timeouts;
}

interface ExecutionStatus {
  phase: string;
  output: string;
  error: string;
  usage: Usage;
}

async function EnsureThread(sessionId: string, agentId: string): Promise<string> {
  try {
    return await platform.thread(sessionId, agentId);
  } catch (err) {
    if (err instanceof NotFound) {
      throw ApplicationFailure.create({ message: `No session ${sessionId} for agent ${agentId}.`, nonRetryable: true });
    }
    throw err;
  }
}

async function ExecuteGraphton(execution: AgentExecutionInput, threadId: string): Promise<ExecutionStatus> {
  const ctx = Context.current();
  // Beat from a timer, whatever the agent is doing: at least every third of the heartbeat
  // timeout. Cancellation only arrives in a heartbeat's response.
  const everySeconds = Math.min(Number(env.STIGMER_HEARTBEAT_INTERVAL_SECONDS ?? 10), execution.timeouts.execute_heartbeat / 3);
  const beat = setInterval(() => ctx.heartbeat(), everySeconds * 1000);
  const cancelled = ctx.cancelled;
  cancelled.catch(() => undefined);
  const unlessCancelled = <T>(work: Promise<T>) => Promise.race([work, cancelled]);
  const id = execution.execution_id;
  let step = 0;
  const event = (type: string, data: Record<string, unknown>): Step => ({ type, data, key: `ts:${++step}` });
  try {
    const human: Message = { role: 'human', content: execution.message };
    const config = await unlessCancelled(platform.start(id, [event('message', { role: 'human', content: human.content })]));
    if (TERMINAL.has(config.phase)) {
      // Cancelled (or finished) before this runner got to it: run nothing.
      return { phase: config.phase, output: '', error: '', usage: { input_tokens: 0, output_tokens: 0, total_tokens: 0 } };
    }
    const [provider, name] = config.model.split(':', 2);
    if (provider !== 'scripted') {
      throw ApplicationFailure.create({ message: `agent misconfigured: this runner only has scripted models, not ${config.model}`, nonRetryable: true });
    }
    const history = threads.get(threadId) ?? [];
    const conversation: Message[] = [...history, human];
    const bound = new Set(config.tools);
    const usage: Usage = { input_tokens: 0, output_tokens: 0, total_tokens: 0 };
    for (let calls = 0; ; ) {
      const system: Message[] = config.instructions ? [{ role: 'system', content: config.instructions }] : [];
      const answer = reply(name, [...system, ...conversation], bound);
      for (const token of answer.tokens) await platform.token(id, token);
      let ai = answer.message;
      if ((ai.tool_calls ?? []).length + calls > config.max_tool_calls) {
        // As the platform's agent graph does: the turn stops at its tool call limit.
        ai = { role: 'ai', content: `Stopped: this turn reached the limit of ${config.max_tool_calls} tool calls.`, tool_calls: [] };
      }
      conversation.push(ai);
      usage.input_tokens += answer.usage.input_tokens;
      usage.output_tokens += answer.usage.output_tokens;
      usage.total_tokens += answer.usage.total_tokens;
      const toolCalls = ai.tool_calls ?? [];
      const steps = [
        event('message', { role: 'ai', content: ai.content, tool_calls: toolCalls }),
        ...toolCalls.map((call) => event('tool_call_started', { ...call })),
        event('usage', { ...usage }),
      ];
      if (toolCalls.length === 0) {
        threads.set(threadId, conversation);
        // The final answer goes with COMPLETED, in one transaction.
        await platform.finish(id, { phase: 'COMPLETED', output: ai.content, usage, events: steps });
        return { phase: 'COMPLETED', output: ai.content, error: '', usage };
      }
      const written = await unlessCancelled(platform.append(id, steps, usage));
      if (TERMINAL.has(written.phase)) throw new CancelledFailure('the execution ended meanwhile');
      for (const call of toolCalls) {
        calls++;
        const started = Date.now();
        let result: string;
        let failed = false;
        try {
          result = await unlessCancelled(runTool(call, (ms) => ctx.sleep(ms)));
        } catch (err) {
          if (err instanceof CancelledFailure) throw err;
          failed = true;
          result = `${(err as Error).name}: ${(err as Error).message}`;
        }
        conversation.push({ role: 'tool', content: result, tool_call_id: call.id, name: call.name, failed });
        await unlessCancelled(platform.append(id, [
          event(failed ? 'tool_call_failed' : 'tool_call_completed',
            { id: call.id, name: call.name, [failed ? 'error' : 'result']: result, duration_ms: Date.now() - started }),
          event('message', { role: 'tool', content: result, tool_call_id: call.id, name: call.name }),
        ], null));
      }
    }
  } catch (err) {
    if (err instanceof CancelledFailure) {
      // Record the cancel, then complete the activity as cancelled.
      await platform.finish(id, { phase: 'CANCELLED' });
      throw err;
    }
    if (err instanceof ApplicationFailure) throw err;
    const error = err as Error;
    throw ApplicationFailure.create({
      message: `agent failed: ${error.name}: ${error.message}`, type: error.name, nonRetryable: true,
    });
  } finally {
    clearInterval(beat);
  }
}

async function main(): Promise<void> {
  const connection = await NativeConnection.connect({ address: env.TEMPORAL_HOST_PORT ?? 'localhost:7233' });
  const queue = env.TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE ?? 'agent_execution_runner';
  const depths = Number(env.STIGMER_MAX_DELEGATION_DEPTH ?? 3);
  const queues = [queue, ...Array.from({ length: depths }, (_, i) => `${queue}.d${i + 1}`)];
  const workers = await Promise.all(queues.map((taskQueue) => Worker.create({
    connection,
    namespace: env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue,
    activities: { EnsureThread, ExecuteGraphton },
    // The SDK sends heartbeats at most every 0.8 x the heartbeat timeout by default (24 s
    // of a 30 s timeout), and a cancel only arrives with one: throttle to 1 s, as the
    // Python runner does.
    maxHeartbeatThrottleInterval: '1s',
    defaultHeartbeatThrottleInterval: '1s',
  })));
  console.log(`ts runner polling ${queues.join(', ')}`);
  await Promise.all(workers.map((worker) => worker.run()));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
