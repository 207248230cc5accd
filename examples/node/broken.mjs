#!/usr/bin/env node
// A broken Node client, for the project's tests: one defect, the id put in the path as it is, without
// encodeURIComponent.  An id such as "a/b" or "../admin" then changes the path (a path-injection risk), and
// `python -m pytest_postpress check -- node examples/node/broken.mjs` fails test_request_line on it.
// Everything else is the reference client's (client.mjs), and the entry point is cli.mjs's.
import { readAnswer, send } from "./client.mjs";
import { main } from "./cli.mjs";

async function reconnect({ baseUrl, apiKey, accountId, body, timeoutMs }) {
  return readAnswer(await send({ baseUrl, apiKey, path: `/v1/accounts/${accountId}`, body, timeoutMs })); // the defect
}

await main(reconnect);
