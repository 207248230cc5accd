// A small Node client of POST /v1/accounts/{id} (Node 18+, no npm dependencies).
//
// What the contract suite expects of any client, as the Python reference clients do it
// (examples/postpress_httpx.py, examples/postpress_requests.py):
// - the id percent-encoded as one path segment (encodeURIComponent, then !'()* too), "." and ".." as %2E and
//   %2E%2E;
// - the key in X-API-KEY, the body as JSON with Content-Type: application/json, exactly as passed;
// - a 201 read as the response's account_id (which need not be the path id);
// - every other answer thrown as PostpressApiError(status, type); no answer as PostpressConnectionError.
// Like the reference clients it does not retry: rule 23 allows retrying some answers, never requires it.
//
// Built on node:http, not on the global fetch, for two traps of fetch: it turns a 407 answer into a network
// error (the documented 407 errors/proxy_auth_error never reaches the caller), and its URL parser reads %2E and
// %2E%2E as dot segments and resolves them away (POST /v1/accounts/%2E%2E would reach /v1/).  node:http sends
// the path as given and returns every answer.
import http from "node:http";
import https from "node:https";

/** The API answered, but not with a documented 201: `.status` is the HTTP status, `.type` the envelope's type. */
export class PostpressApiError extends Error {
  constructor(status, type, title = null, detail = null) {
    super(`${status} ${type ?? "(no type)"}: ${[title, detail].filter((part) => part).join(" ")}`.trim());
    this.name = "PostpressApiError";
    this.status = status;
    this.type = type;
    this.title = title;
    this.detail = detail;
  }
}

/** No answer arrived (refused, dropped connection, timeout): `.status` and `.type` are null. */
export class PostpressConnectionError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = "PostpressConnectionError";
    this.status = null;
    this.type = null;
  }
}

/** `/v1/accounts/{id}` with the id as one path segment: every character outside RFC 3986 unreserved encoded. */
export function accountPath(accountId) {
  if (typeof accountId !== "string" || accountId === "") {
    throw new TypeError("accountId must be a non-empty string");
  }
  // encodeURIComponent leaves !'()* as they are; RFC 3986 unreserved does not include them.
  let segment = encodeURIComponent(accountId).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
  if (segment === "." || segment === "..") {
    // Percent-encoding leaves dots alone: encoded, the dot segments stay one segment (rule 16).
    segment = segment.replaceAll(".", "%2E");
  }
  return `/v1/accounts/${segment}`;
}

/** The 201's account_id, or a PostpressApiError for any other answer. */
export function readAnswer({ status, statusText, text }) {
  let payload = null;
  try {
    payload = JSON.parse(text);
  } catch {
    payload = null;
  }
  const isObject = payload !== null && typeof payload === "object" && !Array.isArray(payload);
  if (status === 201) {
    if (isObject && payload.object === "AccountReconnected") {
      const account = payload.account_id;
      if (typeof account === "string" && account !== "") {
        return account;
      }
    }
    throw new PostpressApiError(201, null, "unexpected success body");
  }
  const envelope = isObject ? payload : {};
  const type = typeof envelope.type === "string" ? envelope.type : null;
  const title = typeof envelope.title === "string" ? envelope.title : statusText || null;
  const detail = typeof envelope.detail === "string" ? envelope.detail : null;
  throw new PostpressApiError(status, type, title, detail);
}

/**
 * POST `body` as JSON to `path` (already encoded; the base URL's path prefix goes before it) with the key and any
 * extra `headers`; resolves to the answer `{status, statusText, text}`, or throws PostpressConnectionError when
 * none arrives.
 */
export function send({ baseUrl, apiKey, path, body, timeoutMs = 10_000, headers = {} }) {
  const base = new URL(String(baseUrl));
  // The base's path prefix (e.g. /api) and the encoded path, put together as text: no URL parser touches them.
  const target = base.pathname.replace(/\/+$/, "") + path;
  // JSON.stringify(null) is "null": a null body is sent as JSON null and its 400 thrown (rule 24).
  const content = Buffer.from(JSON.stringify(body), "utf8");
  const where = `${base.origin}${target}`;
  const transport = base.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const noAnswer = (error) =>
      reject(new PostpressConnectionError(`no answer from ${where}: ${error.message}`, { cause: error }));
    const request = transport.request(
      {
        protocol: base.protocol,
        hostname: base.hostname.replace(/^\[|\]$/g, ""),
        port: base.port || undefined,
        method: "POST",
        path: target,
        headers: {
          ...headers,
          "X-API-KEY": apiKey,
          "Content-Type": "application/json",
          "Content-Length": content.length,
        },
      },
      (response) => {
        const chunks = [];
        response.on("data", (chunk) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode,
            statusText: response.statusMessage,
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        // The connection dropped while the answer was read: no complete answer arrived.
        response.on("aborted", () => noAnswer(new Error("the answer was cut")));
        response.on("error", noAnswer);
      },
    );
    request.setTimeout(timeoutMs, () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on("error", noAnswer);
    request.end(content);
  });
}

/**
 * Reconnect `accountId` with `body`; resolves to the account_id of the 201.
 * Throws PostpressApiError (an answer other than a documented 201), PostpressConnectionError (no answer:
 * refused, dropped, or nothing within `timeoutMs`), or TypeError before sending (an empty id).
 * `headers`: extra request headers, e.g. `{ Prefer: "postpress-answer=409-already_exists" }` to steer `serve`.
 */
export async function reconnect({ baseUrl, apiKey, accountId, body, timeoutMs = 10_000, headers = {} }) {
  return readAnswer(await send({ baseUrl, apiKey, path: accountPath(accountId), body, timeoutMs, headers }));
}
