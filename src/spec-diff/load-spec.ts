/** Reads an OpenAPI 3.0 / 3.1 document from a JSON file, with errors that say what is wrong with it. */
import { readFile } from 'node:fs/promises';
import { isObject, type JsonObject } from './resolve-schema.ts';

/** A problem with the command line or an input file: the CLI prints it and exits 2. */
export class SpecInputError extends Error {
  override name = 'SpecInputError';
}

export async function loadSpec(file: string): Promise<JsonObject> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SpecInputError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : String(error)}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new SpecInputError(`${file} is not JSON (only JSON specs are read): ${(error as Error).message}`);
  }
  if (!isObject(doc))
    throw new SpecInputError(`${file} is not an OpenAPI document: its top level is not an object`);
  if (typeof doc.openapi !== 'string' || !/^3\.[01]\./.test(doc.openapi)) {
    const found =
      typeof doc.swagger === 'string'
        ? `swagger ${doc.swagger}`
        : doc.openapi === undefined
          ? 'no "openapi" field'
          : `openapi ${JSON.stringify(doc.openapi)}`;
    throw new SpecInputError(`${file} is not OpenAPI 3.0 or 3.1 (found ${found})`);
  }
  if (!isObject(doc.paths)) throw new SpecInputError(`${file} has no "paths" object`);
  return doc;
}
