// A small Node client of POST /v1/accounts/{id} (Node 18+, no npm dependencies: the global fetch).
//
// What the contract suite expects of any client, as the Python reference clients do it
// (examples/postpress_httpx.py, examples/postpress_requests.py):
// - the id percent-encoded as one path segment (encodeURIComponent, then !'()* too);
// - the ids "." and ".." refused: fetch's URL parser reads %2E and %2E%2E as dot segments and resolves them
//   away (POST /v1/accounts/%2E%2E would reach /v1/), so they cannot be sent as one segment with fetch;
// - the key in X-API-KEY, the body as JSON with Content-Type: application/json, exactly as passed;
// - a 201 read as the response's account_id (which need not be the path id);
// - every other answer thrown as PostpressApiError(status, type); no answer as PostpressConnectionError.
// Like the reference clients it does not retry: rule 23 allows retrying some answers, never requires it.

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

const DOT_SEGMENTS = new Set([".", ".."]);

/** `/v1/accounts/{id}` with the id as one path segment; throws RangeError for ids fetch cannot send so. */
export function accountPath(accountId) {
  if (typeof accountId !== "string" || accountId === "") {
    throw new TypeError("accountId must be a non-empty string");
  }
  if (DOT_SEGMENTS.has(accountId)) {
    // %2E would do in a raw HTTP request, but fetch's URL parser turns %2E/%2E%2E back into dot segments.
    throw new RangeError(`the account id ${JSON.stringify(accountId)} cannot be sent as a path segment with fetch`);
  }
  // encodeURIComponent leaves !'()* as they are; RFC 3986 unreserved does not include them.
  const segment = encodeURIComponent(accountId).replace(
    /[!'()*]/g,
    (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase(),
  );
  return `/v1/accounts/${segment}`;
}

/** Read a response: resolve to the 201's account_id, or throw PostpressApiError. */
async function readResponse(response) {
  const text = await response.text();
  let payload = null;
  try {
    payload = JSON.parse(text);
  } catch {
    payload = null;
  }
  const isObject = payload !== null && typeof payload === "object" && !Array.isArray(payload);
  if (response.status === 201) {
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
  const title = typeof envelope.title === "string" ? envelope.title : response.statusText || null;
  const detail = typeof envelope.detail === "string" ? envelope.detail : null;
  throw new PostpressApiError(response.status, type, title, detail);
}

/**
 * Reconnect `accountId` with `body`; resolves to the account_id of the 201.
 * Throws PostpressApiError (an answer other than a documented 201), PostpressConnectionError (no answer), or
 * TypeError/RangeError before sending (an id that cannot be sent as one path segment).
 */
export async function reconnect({ baseUrl, apiKey, accountId, body, timeoutMs = 10_000 }) {
  const url = String(baseUrl).replace(/\/+$/, "") + accountPath(accountId);
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "X-API-KEY": apiKey, "Content-Type": "application/json" },
      // JSON.stringify(null) is "null": a null body is sent as JSON null and its 400 thrown (rule 24).
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "manual",
    });
  } catch (error) {
    throw new PostpressConnectionError(`no answer from ${url}: ${error.cause?.message ?? error.message}`, {
      cause: error,
    });
  }
  try {
    return await readResponse(response);
  } catch (error) {
    if (error instanceof PostpressApiError) {
      throw error;
    }
    // The connection dropped while the body was read: no complete answer arrived.
    throw new PostpressConnectionError(`the answer from ${url} was cut: ${error.message}`, { cause: error });
  }
}
