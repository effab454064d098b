const syntax = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/** Checks a topic against §10.2 before anything is sent (a bad topic would cost the connection). */
export function validateTopic(topic: string): void {
  if (typeof topic !== 'string' || topic.length === 0 || topic.length > 256 || !syntax.test(topic)) {
    throw new TypeError(`Invalid topic ${JSON.stringify(topic)}: segments of [A-Za-z0-9._-] separated by '/', at most 256 characters`);
  }
}
