import type { Message } from "./types";

/** The result (`content-result`) or error (`content-error`) of the last action, if any. */
export function ContentMessage({ message }: { message: Message }) {
  if (!message) return null;
  return message.kind === "ok" ? (
    <p className="admin-ok" role="status" data-testid="content-result">
      {message.text}
    </p>
  ) : (
    <p className="admin-error" role="alert" data-testid="content-error">
      {message.text}
    </p>
  );
}
