#!/usr/bin/env node
// The command-client entry point of the Node example client (the protocol: docs/any-language.md,
// "The protocol").  One-shot (default): the id and where to send it in the environment, the body as JSON on standard
// input, one JSON object on standard output.  `--persistent`: one JSON request per line on standard input, one
// JSON answer per line on standard output, in order, until standard input closes.  `--timeout SECONDS`: the
// client's timeout (default 10).
//
//   python -m pytest_postpress check -- node examples/node/cli.mjs
//   python -m pytest_postpress check --persistent --client-timeout 2 -- node examples/node/cli.mjs --persistent --timeout 2
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { reconnect } from "./client.mjs";

/** What the client did, as the protocol's JSON: {"account_id"} or {"error": {"status", "type"}}. */
export async function answer(request, call = reconnect) {
  try {
    return { account_id: await call(request) };
  } catch (error) {
    // PostpressApiError carries the status and type received; PostpressConnectionError (no answer) and a
    // refusal before sending (TypeError/RangeError) carry none.
    const status = Number.isInteger(error?.status) ? error.status : null;
    const type = typeof error?.type === "string" ? error.type : null;
    return { error: { status, type } };
  }
}

async function readAll(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

async function oneShot(call, timeoutMs) {
  const env = process.env;
  // An id with a NUL character cannot travel in an environment variable: POSTPRESS_ACCOUNT_ID_JSON carries any id.
  const accountId =
    env.POSTPRESS_ACCOUNT_ID_JSON !== undefined ? JSON.parse(env.POSTPRESS_ACCOUNT_ID_JSON) : env.POSTPRESS_ACCOUNT_ID;
  const body = JSON.parse(await readAll(process.stdin));
  const result = await answer(
    { baseUrl: env.POSTPRESS_BASE_URL, apiKey: env.POSTPRESS_API_KEY, accountId, body, timeoutMs },
    call,
  );
  process.stdout.write(JSON.stringify(result) + "\n");
}

async function persistent(call, timeoutMs) {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === "") continue;
    const request = JSON.parse(line);
    const result = await answer(
      {
        baseUrl: request.base_url,
        apiKey: request.api_key,
        accountId: request.account_id,
        body: request.body,
        timeoutMs,
      },
      call,
    );
    process.stdout.write(JSON.stringify(result) + "\n");
  }
}

/** Run the entry point with `call` as the client (the broken examples pass their own). */
export async function main(call = reconnect, argv = process.argv.slice(2)) {
  let timeoutMs = 10_000;
  const at = argv.indexOf("--timeout");
  if (at !== -1) {
    timeoutMs = Number(argv[at + 1]) * 1000;
    if (!(timeoutMs > 0)) {
      process.stderr.write(`--timeout: expected seconds above 0, got ${JSON.stringify(argv[at + 1])}\n`);
      process.exit(2);
    }
  }
  await (argv.includes("--persistent") ? persistent(call, timeoutMs) : oneShot(call, timeoutMs));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
