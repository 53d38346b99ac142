import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FieldError } from '@latchkey/domain';
import { HttpProblem } from '../errors/problem.js';

const MAX_DEPTH = 32;
const utf8 = new TextDecoder('utf-8', { fatal: true });

const escapePointer = (key: string): string => key.replaceAll('~', '~0').replaceAll('/', '~1');

/** Finds the first string (value or key) holding a NUL or a lone surrogate, or nesting too deep. */
const findBadValue = (value: unknown, path: string, depth: number): FieldError | null => {
  if (depth > MAX_DEPTH) return { path, message: `must not nest deeper than ${MAX_DEPTH} levels` };
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return { path, message: 'must not contain NUL characters' };
    if (!value.isWellFormed()) return { path, message: 'must be valid Unicode' };
    return null;
  }
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const bad = findBadValue(item, `${path}/${i}`, depth + 1);
      if (bad) return bad;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const at = `${path}/${escapePointer(key)}`;
      const bad = findBadValue(key, at, depth + 1) ?? findBadValue(item, at, depth + 1);
      if (bad) return bad;
    }
  }
  return null;
};

const charsetOf = (contentType: string): string | null => {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  return match?.[1]?.toLowerCase() ?? null;
};

/**
 * Bodies are JSON or nothing. Replaces Fastify's parsers: `application/json` (UTF-8 only, no
 * prototype poisoning, no NUL or lone surrogates); any other content type is 415 unless the body
 * is empty (routes without a body accept an empty one whatever its type); an empty JSON body is
 * no body, so a route that needs one fails validation with 400.
 */
export const registerJsonBodyParser = (app: FastifyInstance): void => {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();

  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer' },
    (request: FastifyRequest, body: Buffer, done) => {
      if (body.length === 0) return done(null, undefined);
      const charset = charsetOf(request.headers['content-type'] ?? '');
      if (charset !== null && charset !== 'utf-8' && charset !== 'utf8') {
        return done(new HttpProblem(415, 'unsupported_media_type', 'JSON must be UTF-8'));
      }
      let text: string;
      try {
        text = utf8.decode(body);
      } catch {
        return done(new HttpProblem(400, 'invalid_json', 'body is not valid UTF-8'));
      }
      // The default parser is synchronous and reports through the callback; nothing to await.
      void parseJson(request, text, (err, value: unknown) => {
        if (err) return done(new HttpProblem(400, 'invalid_json', 'body is not valid JSON'));
        const bad = findBadValue(value, '', 0);
        if (bad) return done(new HttpProblem(400, 'validation_failed', bad.message, {}, [bad]));
        done(null, value);
      });
    },
  );

  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body: Buffer, done) => {
    if (body.length === 0) return done(null, undefined);
    done(new HttpProblem(415, 'unsupported_media_type', 'request bodies must be application/json'));
  });
};
