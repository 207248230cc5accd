// A Node team's own tests of its client against `python -m pytest_postpress serve` (Node 18+, node:test, no npm
// dependencies): one server for the file, steered per test by the Prefer header and the control API.
//
//   node --test examples/node/serve.test.mjs          (POSTPRESS_PYTHON picks the Python, default python3)
//
// The server is spawned with `--port 0`; its first stdout line says where it listens:
// "postpress mock listening on http://127.0.0.1:PORT".
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, beforeEach, test } from "node:test";
import { createInterface } from "node:readline";
import { PostpressApiError, PostpressConnectionError, reconnect } from "./client.mjs";

const PYTHON = process.env.POSTPRESS_PYTHON || "python3";
const API_KEY = "sk_test_node_serve_0001";
const ACCOUNT = "acc_node_1";
const BODY = { provider: "LINKEDIN", username: "anna@acme.com", password: "pw" };
const STARTUP_MS = 30_000;

let server;
let baseUrl;
let control;
let serverLog = "";

/** Start `serve` and resolve to the URL of its first stdout line; reject with its log if it exits or hangs. */
function startServe() {
  server = spawn(
    PYTHON,
    ["-m", "pytest_postpress", "serve", "--port", "0", "--api-key", API_KEY, "--account", ACCOUNT],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  server.stderr.setEncoding("utf8");
  server.stderr.on("data", (text) => {
    serverLog += text;
  });
  return new Promise((resolve, reject) => {
    const fail = (why) => reject(new Error(`${PYTHON} -m pytest_postpress serve ${why}; its log:\n${serverLog}`));
    const timer = setTimeout(() => fail(`printed no URL within ${STARTUP_MS} ms`), STARTUP_MS);
    server.once("error", (error) => fail(`could not start: ${error.message}`));
    server.once("exit", (code) => fail(`exited with status ${code} before listening`));
    createInterface({ input: server.stdout }).once("line", (line) => {
      clearTimeout(timer);
      const prefix = "postpress mock listening on ";
      if (!line.startsWith(prefix)) fail(`printed ${JSON.stringify(line)} instead of its URL`);
      resolve(line.slice(prefix.length));
    });
  });
}

/** A control request: resolves to {status, body} (every control answer is JSON). */
async function steer(method, route, body) {
  const response = await fetch(`${control}/${route}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

function call(options = {}) {
  return reconnect({ baseUrl, apiKey: API_KEY, accountId: ACCOUNT, body: BODY, timeoutMs: 5_000, ...options });
}

/** Assert that `promise` rejects with a PostpressApiError of `status` and `type`. */
async function rejectsWith(promise, status, type) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof PostpressApiError, `expected a PostpressApiError, got ${error}`);
    assert.deepEqual([error.status, error.type], [status, type]);
    return true;
  });
}

before(async () => {
  baseUrl = await startServe();
  control = `${new URL(baseUrl).origin}/__postpress`;
});

after(async () => {
  if (server.exitCode === null) {
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill("SIGTERM");
    await exited;
  }
});

beforeEach(async () => {
  assert.equal((await steer("POST", "reset")).status, 200);
});

test("a reconnect resolves to the account id", async () => {
  assert.equal(await call(), ACCOUNT);
});

test("three documented errors, chosen per request by the Prefer header", async () => {
  for (const [id, status, type] of [
    ["409-already_exists", 409, "errors/already_exists"],
    ["503-network_down", 503, "errors/network_down"],
    ["403-account_restricted", 403, "errors/account_restricted"],
  ]) {
    await rejectsWith(call({ headers: { Prefer: `postpress-answer=${id}` } }), status, type);
  }
  assert.equal(await call(), ACCOUNT); // the header chose one answer, nothing more
});

test("an unknown id in the Prefer header is a 400 naming the valid ones", async () => {
  await assert.rejects(call({ headers: { Prefer: "postpress-answer=409-conflict" } }), (error) => {
    assert.deepEqual([error.status, error.type], [400, "errors/invalid_request"]);
    assert.match(error.detail, /Valid ids: 400-invalid_parameters, .*409-already_exists/);
    return true;
  });
});

test("three documented errors, a proxy's HTML and a dropped connection, queued through the control API", async () => {
  for (const answer of [
    { error: "425-auth_in_progress" },
    { error: "500-provider_error" },
    { error: "404-invalid_resource_identifier" },
    { status: 502, raw: "<html>bad gateway</html>", times: 1 },
    { fault: "drop" },
  ]) {
    assert.equal((await steer("POST", "answers", answer)).status, 200);
  }
  await rejectsWith(call(), 425, "errors/auth_in_progress");
  await rejectsWith(call(), 500, "errors/provider_error");
  await rejectsWith(call(), 404, "errors/invalid_resource_identifier");
  await rejectsWith(call(), 502, null); // not JSON: the client has a status, no type
  await assert.rejects(call(), PostpressConnectionError);
  assert.equal(await call(), ACCOUNT);
  assert.deepEqual(await steer("GET", "verify"), { status: 200, body: [] });
});

test("the call journal shows what the client sent, secrets hidden", async () => {
  assert.equal((await steer("POST", "accounts", { id: "acc node/1" })).status, 200);
  assert.equal(await call({ accountId: "acc node/1" }), "acc node/1");
  const { status, body: calls } = await steer("GET", "calls");
  assert.equal(status, 200);
  assert.equal(calls.length, 1); // the control requests are not in it
  const [sent] = calls;
  assert.equal(sent.method, "POST");
  assert.equal(sent.raw_path, "/v1/accounts/acc%20node%2F1"); // one segment, encoded
  assert.deepEqual(sent.json, { ...BODY, password: "<hidden>" }); // body secrets are hidden too
  assert.equal(sent.headers["content-type"], "application/json");
  assert.equal(sent.headers["x-api-key"], "<hidden>");
  assert.equal(sent.status, 201);
  assert.ok(!JSON.stringify(calls).includes(API_KEY));
});

test("verify lists a queued answer the client never used", async () => {
  await steer("POST", "answers", { error: "504-request_timeout", times: 2 });
  await rejectsWith(call(), 504, "errors/request_timeout");
  const { status, body } = await steer("GET", "verify");
  assert.equal(status, 409);
  assert.deepEqual(body, ["queued answer not used: error 504-request_timeout: 1 use(s) left of the queue"]);
});
