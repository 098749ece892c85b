/**
 * Whether the network helper image has the programs a pod's tunnel client command runs (`ssh` for
 * interLink's ssh tunnel, `unzip` and `base64` for rathole's): a pod whose tunnel cannot run is
 * refused at create with a sentence naming the program, before anything exists, rather than
 * running with a tunnel that restarts for ever. Only names from KNOWN_PROGRAMS are checked or said.
 */

import { invalidField } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { PodNetworking } from '../../pod/mesh-script.ts';
import { annotationField } from '../../pod/pod-network.ts';
import { KNOWN_PROGRAMS, programsRun, TUNNEL_ANNOTATIONS } from '../../pod/tunnel-annotations.ts';
import type { DockerCli } from '../engine/docker-cli.ts';
import { programsMissingFromImage } from '../engine/docker-verbs.ts';

/** An image found lacking a program is asked again after this, so a rebuilt image is seen. */
const RECHECK_MISSING_MS = 30_000;

export class HelperPrograms {
  /** The last answer: kept for good when the image has every program, else for RECHECK_MISSING_MS. */
  private answer: { at: number; complete: boolean; missing: Promise<Set<string> | undefined> } | undefined;

  constructor(
    private readonly docker: DockerCli,
    private readonly image: string,
    private readonly log: Logger,
  ) {}

  /** Throws `invalid`, naming the annotation and the programs, when the helper image lacks one. */
  async check(networking: PodNetworking): Promise<void> {
    if (networking.kind === 'none' || networking.kind === 'mesh') return;
    const missing = await this.missing();
    // An image that is not here yet (or does not run) is the helper's own failure to report.
    if (!missing) return;
    const lacking = programsRun(networking.command).filter((p) => missing.has(p));
    if (lacking.length === 0) return;
    const names = lacking.map((p) => `\`${p}\``).join(', ');
    throw invalidField(
      annotationField(TUNNEL_ANNOTATIONS[networking.kind]),
      `asks for interLink's ${networking.kind} tunnel, whose client command runs ${names}, and the network helper image ${this.image} has no ${names} on its PATH: set PLUGIN_NETWORK_HELPER_IMAGE to an image that has it`,
    );
  }

  private missing(): Promise<Set<string> | undefined> {
    const now = Date.now();
    const cached = this.answer;
    if (cached && (cached.complete || now - cached.at < RECHECK_MISSING_MS)) return cached.missing;
    const answer = {
      at: now,
      complete: false,
      missing: programsMissingFromImage(this.docker, this.image, KNOWN_PROGRAMS).then(
        (list) => new Set(list),
        (err: Error) => {
          this.log.debug('could not list the programs of the network helper image', {
            image: this.image,
            error: err.message,
          });
          // Not kept: the next tunnel pod asks again (the helper's own run pulls the image).
          if (this.answer === answer) this.answer = undefined;
          return undefined;
        },
      ),
    };
    void answer.missing.then((set) => {
      answer.complete = set?.size === 0;
    });
    this.answer = answer;
    return answer.missing;
  }
}
