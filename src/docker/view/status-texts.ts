/**
 * Each pod's /status answer kept as JSON text, made again only when something it was made from
 * has changed. interLink asks for every pod every few seconds, and between two polls of a running
 * pod nothing changes: building the PodStatus and serialising it again was most of the answer's cost.
 *
 * An entry is used again only while everything it was made from is the same: the key (the view's
 * revision of the pod's containers and the part of the request's pod the answer reads, both the
 * caller's to give), and every question the answer asked of the plugin's own state while it was
 * made (is the pod being created, why does a container wait, is it ready), each asked again and
 * answered alike. Questions are recorded as they are asked, so a branch the answer did not take
 * needs no invalidation: nothing in the plugin has to tell this cache that something changed.
 */

/** A question of the plugin's state (pure: the same answer for the same state), and what it answered. */
interface Asked {
  ask: (arg: string) => unknown;
  arg: string;
  answer: string | undefined;
}

/** What an entry is made from besides the questions, compared element by element. */
export type Key = readonly (string | number | undefined)[];

interface Entry {
  key: Key;
  asked: Asked[];
  /** The pod's answer, or undefined when the pod is left out of the answer. */
  text: string | undefined;
}

/** Asks `ask(arg)`, recording it when a recording is under way. */
export type Ask = <T>(ask: (arg: string) => T, arg: string) => T;

export class StatusTexts {
  private readonly entries = new Map<string, Entry>();

  /**
   * The pod's text from the last answer whose key and questions still hold, or `make`'s, which
   * asks its questions through `ask` and returns the pod's status (undefined: left out).
   */
  text(uid: string, key: Key, make: (ask: Ask) => object | undefined): string | undefined {
    const kept = this.entries.get(uid);
    if (kept && sameKey(kept.key, key) && kept.asked.every((q) => same(q.ask(q.arg), q.answer)))
      return kept.text;
    const asked: Asked[] = [];
    const ask: Ask = (fn, arg) => {
      const answer = fn(arg);
      asked.push({ ask: fn, arg, answer: answerText(answer) });
      return answer;
    };
    const status = make(ask);
    const text = status === undefined ? undefined : JSON.stringify(status);
    this.entries.set(uid, { key, asked, text });
    return text;
  }

  /** Drops a pod's text (its delete). */
  forget(uid: string): void {
    this.entries.delete(uid);
  }

  get size(): number {
    return this.entries.size;
  }
}

function sameKey(a: Key, b: Key): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function answerText(answer: unknown): string | undefined {
  return answer === undefined
    ? undefined
    : typeof answer === 'string'
      ? `s${answer}`
      : JSON.stringify(answer);
}

function same(answer: unknown, recorded: string | undefined): boolean {
  return answerText(answer) === recorded;
}
