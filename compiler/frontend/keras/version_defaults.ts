/**
 * Options whose default changed between Keras versions. A layer config
 * without such an option means what the writing Keras' constructor defaulted
 * it to, which is not always the default of tfc's layer definitions (those
 * follow Keras 3). Each one is filled in here from the file's
 * `keras_version` before the layers are parsed.
 *
 * GRU `reset_after`: Keras added it in 2.1.3 with default false (Keras
 * 2.1.3-2.3.x and tf.keras 1.x, whose versions end in `-tf` up to
 * `2.2.4-tf`); older Keras had only that GRU and wrote no option. tf.keras
 * 2 (`2.3.0-tf`, then `2.4.0`-`2.15.x`) and Keras 3 default to true. TF.js
 * (`tfjs-layers x.y.z`) implements only false. Writers that know the
 * option always write it, so in practice a missing one comes from Keras
 * before 2.1.3.
 */

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * What a GRU without `reset_after` meant to the Keras that wrote
 * `kerasVersion`; undefined when the version says nothing (absent or not a
 * Keras version), leaving the layer's own default.
 */
export function gruResetAfterDefault(kerasVersion: unknown): boolean | undefined {
  if (typeof kerasVersion !== 'string') return undefined;
  if (kerasVersion.startsWith('tfjs-layers')) return false;
  const m = /^(\d+)(?:\.(\d+))?/.exec(kerasVersion);
  if (!m) return undefined;
  const major = Number(m[1]);
  const minor = Number(m[2] ?? 0);
  if (major !== 2) return major > 2;
  return kerasVersion.endsWith('-tf') ? minor >= 3 : minor >= 4;
}

/**
 * Fills in, in place, every version-dependent option a layer config of the
 * model JSON `topology` leaves out (see the file comment). Walks the whole
 * JSON without recursion, so wrapped and nested layers are reached and a
 * deeply nested file cannot overflow the stack.
 */
export function fillVersionDefaults(topology: unknown): void {
  if (!isRecord(topology)) return;
  const resetAfter = gruResetAfterDefault(topology.keras_version);
  if (resetAfter === undefined) return;
  const pending: unknown[] = [topology];
  while (pending.length > 0) {
    const v = pending.pop();
    if (Array.isArray(v)) {
      for (const item of v) pending.push(item);
    } else if (isRecord(v)) {
      if (v.class_name === 'GRU' && isRecord(v.config) && !Object.hasOwn(v.config, 'reset_after')) v.config.reset_after = resetAfter;
      for (const item of Object.values(v)) pending.push(item);
    }
  }
}
