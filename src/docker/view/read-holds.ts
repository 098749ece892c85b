/**
 * Which container events need a `docker inspect` of their own. Making a pod sets off a burst of
 * events (create, start, die of an init container...), each worth a read, while the code that
 * makes or starts the containers reads them itself right after. So events of a pod on hold only
 * name their container for the read that ends the hold, and events that read already answers
 * read nothing: a container's one `create` is in any read that knows its id (no read can begin
 * before the id exists), and a `start` its starter read afterwards is in that read. Nothing else
 * is skipped: a die, an oom, a restart by Docker are read as they come, except the die of a
 * container its starter waits for (`untilDie`), which is in the read that ends the hold.
 */

interface Hold {
  count: number;
  /** Containers the pod's events named during the hold. */
  ids: Set<string>;
  /** Those of them whose `start` event came during the hold. */
  started: Set<string>;
  /** Those of them whose `die` event came during the hold. */
  died: Set<string>;
}

export class ReadHolds {
  /** `read`: the view's batched read of containers, resolving once they are read. */
  constructor(private readonly read: (ids: readonly string[]) => Promise<void>) {}

  private readonly held = new Map<string, Hold>();
  /** Containers started by a caller that read them afterwards: their next `start` event is answered. */
  private readonly startRead = new Set<string>();
  /** Starters waiting for a held container's end, by container id. */
  private readonly endings = new Map<string, () => void>();

  /** The caller is about to make or start containers of the pod: its events read nothing until `release`. */
  hold(uid: string): void {
    const h = this.held.get(uid) ?? {
      count: 0,
      ids: new Set<string>(),
      started: new Set<string>(),
      died: new Set<string>(),
    };
    h.count++;
    this.held.set(uid, h);
  }

  /**
   * Ends a hold: reads `ids` and the containers the pod's events named meanwhile, in one read,
   * and waits for it. `started`: those the caller started; their start events still to come are
   * answered by this read.
   */
  release(uid: string, ids: readonly string[], started: readonly string[] = []): Promise<void> {
    const h = this.held.get(uid);
    // A start event seen during the hold was this run's: the next one would be another run's.
    for (const id of started) if (!h?.started.has(id)) this.startRead.add(id);
    const named = h ? [...h.ids] : [];
    if (h) {
      h.ids.clear();
      h.started.clear();
      h.died.clear();
      if (--h.count === 0) this.held.delete(uid);
    }
    return this.read([...ids, ...named]);
  }

  /**
   * Waits, at most `ms`, for the `die` event of a container of a pod on hold: a container that
   * ends at once (an init container running `true`) then has its start and its end in the one
   * read that ends the hold, instead of a read each. False when it did not die in time, or its pod
   * is not on hold.
   */
  untilDie(uid: string, id: string, ms: number): Promise<boolean> {
    const h = this.held.get(uid);
    if (!h || h.died.has(id)) return Promise.resolve(h !== undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => end(false), ms);
      const end = (died: boolean) => {
        clearTimeout(timer);
        this.endings.delete(id);
        resolve(died);
      };
      this.endings.set(id, () => end(true));
    });
  }

  /**
   * Whether an event needs a read of its own: not when `known` (the view has read the container,
   * or a read of it is under way or scheduled) answers a create, when its starter reads a start,
   * or while its pod is on hold (then the hold's read reads it).
   */
  needsRead(id: string, podUid: string | undefined, action: string, known: boolean): boolean {
    if (action === 'create' && known) return false;
    // A run ends before the next begins: past its die, the start awaited was not this run's (a
    // start of a container already running makes no event).
    if (action === 'die') this.startRead.delete(id);
    if (action === 'start' && this.startRead.delete(id)) return false;
    const h = podUid === undefined ? undefined : this.held.get(podUid);
    if (!h) return true;
    h.ids.add(id);
    if (action === 'start') h.started.add(id);
    if (action === 'die') {
      h.died.add(id);
      this.endings.get(id)?.();
    }
    return false;
  }

  /** Whether the container's next `start` event is one its starter's read answers (that read may still be under way). */
  awaitsStart(id: string): boolean {
    return this.startRead.has(id);
  }

  /** Whether a caller is making or starting containers of the pod right now. */
  isHeld(uid: string): boolean {
    return this.held.has(uid);
  }

  forget(id: string): void {
    this.startRead.delete(id);
  }
}
