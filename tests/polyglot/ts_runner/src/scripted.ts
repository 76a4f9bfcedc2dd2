// A port of the platform's offline `scripted:<name>` model (runner/llms/scripted.py),
// enough of it for the suite: one tool call chosen from the question, an answer quoting
// the tool's result, a plain answer, and `scripted:fail`. Usage is counted the same way
// (input: the words of every message sent; output: one per streamed token, one for a
// tool call), so this runner's transcripts match the Python runner's exactly.
import { createHash } from 'node:crypto';

export interface ToolCall {
  id: string;
  name: string;
  args: Record<string, unknown>;
}

export interface Message {
  role: 'system' | 'human' | 'ai' | 'tool';
  content: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  name?: string;
  failed?: boolean;
}

export interface Reply {
  message: Message;
  usage: { input_tokens: number; output_tokens: number; total_tokens: number };
  tokens: string[];
}

export const FAILURE_MESSAGE = 'scripted model failure (requested by scripted:fail)';
const ARITHMETIC_RUN = /[\d\s().+\-*/%]+/g;
const HAS_OPERATION = /\d\s*\)*\s*(?:\*\*|\/\/|[-+*/%])\s*[-+(\s]*\d/;
const SLEEP = /\bsleep\s+(?:for\s+)?(\d+(?:\.\d+)?)/i;
const RECALL = /\b(?:previous|before)\b/i;
const TOKEN = /\S+\s*/g;
const TOOL_ANSWERS: Record<string, string> = {
  calculator: 'The result is {}.',
  current_time: 'It is {}.',
  sleep: 'Done: {}.',
};

const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

function findArithmetic(text: string): string | null {
  for (const match of text.matchAll(ARITHMETIC_RUN)) {
    let candidate = match[0].trim();
    const count = (s: string, c: string) => s.split(c).length - 1;
    while (count(candidate, '(') > count(candidate, ')') && candidate.startsWith('(')) candidate = candidate.slice(1).trim();
    while (count(candidate, ')') > count(candidate, '(') && candidate.endsWith(')')) candidate = candidate.slice(0, -1).trim();
    if (HAS_OPERATION.test(candidate)) return candidate;
  }
  return null;
}

function chooseTool(text: string, bound: Set<string>): [string, Record<string, unknown>] | null {
  const sleep = SLEEP.exec(text);
  if (bound.has('sleep') && sleep) return ['sleep', { seconds: parseFloat(sleep[1]) }];
  const expression = findArithmetic(text);
  if (bound.has('calculator') && expression) return ['calculator', { expression }];
  return null;
}

function callId(messages: Message[]): string {
  const transcript = JSON.stringify(messages.map((m) => [m.role, m.content]));
  return 'call_' + createHash('sha256').update(transcript).digest('hex').slice(0, 24);
}

export function reply(name: string, messages: Message[], bound: Set<string>): Reply {
  if (name === 'fail') {
    const error = new Error(FAILURE_MESSAGE);
    error.name = 'RuntimeError';
    throw error;
  }
  const last = messages[messages.length - 1];
  let message: Message;
  const chosen = last?.role === 'human' ? chooseTool(last.content, bound) : null;
  if (chosen) {
    message = { role: 'ai', content: '', tool_calls: [{ id: callId(messages), name: chosen[0], args: chosen[1] }] };
  } else if (last?.role === 'tool') {
    const template = TOOL_ANSWERS[last.name ?? ''] ?? `The ${last.name} tool returned: {}.`;
    message = { role: 'ai', content: last.failed ? `The tool failed: ${last.content}` : template.replace('{}', last.content), tool_calls: [] };
  } else {
    const asked = messages.filter((m) => m.role === 'human').map((m) => m.content);
    const question = asked[asked.length - 1] ?? '';
    const content = RECALL.test(question)
      ? asked.length < 2 ? 'You have not asked anything before.' : `You asked before: "${asked[asked.length - 2]}"`
      : `Scripted answer to: ${question}`;
    message = { role: 'ai', content, tool_calls: [] };
  }
  const tokens = message.tool_calls?.length ? [] : message.content.match(TOKEN) ?? [''];
  const input = messages.reduce((sum, m) => sum + words(m.content), 0);
  const output = message.tool_calls?.length ? 1 : tokens.length;
  return { message, tokens, usage: { input_tokens: input, output_tokens: output, total_tokens: input + output } };
}

// ---- tools ---------------------------------------------------------------------------

type Num = { value: number; int: boolean };

function calculate(expression: string): string {
  // + - * / ( ) on numbers, as Python evaluates them (`/` gives a float).
  let pos = 0;
  const peek = () => expression.slice(pos).trimStart()[0];
  const skip = () => { while (expression[pos] === ' ') pos++; };
  const atom = (): Num => {
    skip();
    if (expression[pos] === '(') { pos++; const v = sum(); skip(); pos++; return v; }
    if (expression[pos] === '-') { pos++; const v = atom(); return { value: -v.value, int: v.int }; }
    const match = /^\d+(\.\d+)?/.exec(expression.slice(pos));
    if (!match) throw new Error(`not an arithmetic expression: '${expression}'`);
    pos += match[0].length;
    return { value: parseFloat(match[0]), int: match[1] === undefined };
  };
  const product = (): Num => {
    let left = atom();
    while (peek() === '*' || peek() === '/') {
      skip();
      const op = expression[pos++];
      const right = atom();
      left = op === '*' ? { value: left.value * right.value, int: left.int && right.int } : { value: left.value / right.value, int: false };
    }
    return left;
  };
  const sum = (): Num => {
    let left = product();
    while (peek() === '+' || peek() === '-') {
      skip();
      const op = expression[pos++];
      const right = product();
      left = { value: op === '+' ? left.value + right.value : left.value - right.value, int: left.int && right.int };
    }
    return left;
  };
  const result = sum();
  if (result.int) return String(result.value);
  return Number.isInteger(result.value) ? result.value.toFixed(1) : String(result.value);
}

export async function runTool(call: ToolCall, sleep: (ms: number) => Promise<void>): Promise<string> {
  if (call.name === 'calculator') return calculate(String(call.args.expression));
  if (call.name === 'sleep') {
    const seconds = Number(call.args.seconds);
    await sleep(seconds * 1000); // cancellable: rejects when the activity is cancelled
    return `slept ${Number.isInteger(seconds) ? seconds.toFixed(1) : seconds} seconds`;
  }
  throw new Error(`unknown tool ${call.name}`);
}
