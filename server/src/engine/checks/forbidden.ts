/**
 * forbidden-call: a call a rule forbids while a lock is held (the lock named over the call's
 * arguments), made here or through any depth of calls.
 */
import { findingMessage } from '../model';
import { type KindChecker, takenKey } from './context';

export const forbiddenCall: KindChecker = {
  kind: 'forbidden-call',
  create: ({ paths }, report) => ({
    observer: {
      forbidden(op, held, s, via, inner) {
        const path = paths.trail(s, takenKey(held));
        if (via && inner?.length) path.push(...paths.callInto(op.site, via, held.ref.display, inner));
        else path.push(paths.step(op.site, `calls ${op.call}() with ${held.ref.display} held`));
        const how = via && via !== op.call ? ` (via ${via}())` : '';
        report(
          held.ref.key,
          { class: held.ref.class, display: held.ref.display },
          op.site,
          findingMessage`${op.call}() is called${how} while ${held.ref.display} is held: ${op.reason}`,
          path,
          `forbid:${held.site ? `${held.site.line}:${held.site.column}` : held.via}`,
        );
      },
    },
  }),
};
