import type { MessageRole } from '../../contract/index.js';

/** One message of a logged prompt. */
export interface LoggedMessage {
  role: MessageRole;
  content: string;
}

const ROLE_LINE = /^(system|user|assistant|tool): /;

/**
 * The messages of a logged prompt, which the gateway keeps as `role: content` lines (content may
 * span lines; a line that starts with a role name and a colon starts the next message).
 */
export function parseLoggedMessages(requestContent: string): LoggedMessage[] {
  const messages: LoggedMessage[] = [];
  for (const line of requestContent.split('\n')) {
    const match = ROLE_LINE.exec(line);
    const last = messages.at(-1);
    if (match) messages.push({ role: match[1] as MessageRole, content: line.slice(match[0].length) });
    else if (last) last.content += `\n${line}`;
    else messages.push({ role: 'user', content: line });
  }
  return messages;
}

/** The text the router classified: the latest user message, or all of them when there is none. */
export function readRoutedText(messages: readonly LoggedMessage[]): string {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index] as LoggedMessage;
    if (message.role === 'user') return message.content;
  }
  return messages.map((message) => `${message.content}\n`).join('');
}
