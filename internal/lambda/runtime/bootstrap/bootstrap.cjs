// tenkai's Node.js bootstrap: runs a Lambda handler behind the Runtime API (2018-06-01)
// with Node's standard library only. Started as `node bootstrap.cjs` in LAMBDA_TASK_ROOT.
'use strict';

const http = require('http');
const fs = require('fs');
const path = require('path');
const util = require('util');
const { pathToFileURL } = require('url');

const [apiHost, apiPort] = (() => {
  const a = process.env.AWS_LAMBDA_RUNTIME_API || '127.0.0.1:9001';
  const i = a.lastIndexOf(':');
  return [a.slice(0, i), Number(a.slice(i + 1))];
})();
const BASE = '/2018-06-01/runtime';
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
const handlerString = process.env._HANDLER || '';

// ES module imports do not search NODE_PATH, but Lambda's Node.js runtimes let
// `import ... from "@aws-sdk/..."` find the SDK they ship, and layers'
// nodejs/node_modules. A resolve hook retries a failed bare specifier from each
// NODE_PATH directory named node_modules.
(function registerNodePathResolver() {
  const mod = require('module');
  const dirs = (process.env.NODE_PATH || '').split(path.delimiter)
    .filter((d) => d && path.basename(d) === 'node_modules')
    .map((d) => pathToFileURL(path.join(path.dirname(d), '__tenkai_resolve__.mjs')).href);
  if (typeof mod.register !== 'function' || dirs.length === 0) return;
  const hooks = `
const parents = ${JSON.stringify(dirs)};
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    const bare = !specifier.startsWith('.') && !specifier.startsWith('/') && !/^[a-z][a-z0-9+.-]*:/i.test(specifier);
    if (!bare || !err || err.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    for (const parentURL of parents) {
      try { return await next(specifier, { ...context, parentURL }); } catch (e) { /* next directory */ }
    }
    throw err;
  }
}`;
  try {
    mod.register('data:text/javascript,' + encodeURIComponent(hooks));
  } catch (e) {
    // Older Node.js without loader hooks: ESM imports of the SDK stay unavailable.
  }
})();

let currentId; // request id for log lines; undefined during init, as in Lambda
let invokeDone = null; // finishes the current invocation once

// ---- Runtime API client -------------------------------------------------------------
function call(method, p, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: apiHost, port: apiPort, method, path: BASE + p, agent, headers: headers || {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.end(body); else req.end();
  });
}

function post(p, body, errorType) {
  const buf = Buffer.from(body, 'utf8');
  const headers = { 'Content-Type': 'application/json', 'Content-Length': buf.length };
  if (errorType) headers['Lambda-Runtime-Function-Error-Type'] = errorType;
  return call('POST', p, buf, headers);
}

// ---- logging ------------------------------------------------------------------------
// console.* lines are "TIMESTAMP\tREQUESTID\tLEVEL\tmessage"; newlines inside a message
// become CR so it stays one log event.
function writeLine(level, args) {
  const msg = util.format.apply(util, args).replace(/\n/g, '\r');
  writeOut(`${new Date().toISOString()}\t${currentId}\t${level}\t${msg}\n`);
}

// writeOut writes synchronously; it waits out EAGAIN, which a non-blocking stdout (set by
// Node once process.stdout is used) gives when the pipe is full.
const pause = new Int32Array(new SharedArrayBuffer(4));
function writeOut(s) {
  const buf = Buffer.from(s, 'utf8');
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(1, buf, off);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}
console.log = (...a) => writeLine('INFO', a);
console.info = (...a) => writeLine('INFO', a);
console.warn = (...a) => writeLine('WARN', a);
console.error = (...a) => writeLine('ERROR', a);
console.debug = (...a) => writeLine('DEBUG', a);
console.trace = (...a) => {
  const e = new Error(util.format.apply(util, a));
  e.name = 'Trace';
  writeLine('TRACE', [e.stack]);
};
console.fatal = (...a) => writeLine('FATAL', a);

// ---- errors -------------------------------------------------------------------------
function errorDoc(err) {
  if (err instanceof Error || (err && typeof err === 'object' && 'stack' in err && 'message' in err)) {
    const stack = typeof err.stack === 'string' ? err.stack.split('\n') : [];
    return { errorType: err.name || (err.constructor && err.constructor.name) || 'Error', errorMessage: String(err.message), trace: stack };
  }
  let msg;
  try { msg = typeof err === 'string' ? err : JSON.stringify(err); } catch (e) { msg = String(err); }
  return { errorType: typeof err, errorMessage: msg === undefined ? String(err) : msg, trace: [] };
}

function logError(label, doc) {
  const shown = { errorType: doc.errorType, errorMessage: doc.errorMessage, stack: doc.trace };
  writeLine('ERROR', [label, '\t' + JSON.stringify(shown)]);
}

class RuntimeError extends Error {
  constructor(name, message, cause) {
    super(message);
    this.name = name;
    if (cause && cause.stack) {
      const frames = String(cause.stack).split('\n').filter((l) => /^\s+at /.test(l));
      this.stack = [`${name}: ${message}`].concat(frames).join('\n');
    }
  }
}

// ---- handler loading ----------------------------------------------------------------
function packageTypeIsModule(dir) {
  for (let d = dir; ; d = path.dirname(d)) {
    const pj = path.join(d, 'package.json');
    if (fs.existsSync(pj)) {
      try { return JSON.parse(fs.readFileSync(pj, 'utf8')).type === 'module'; } catch (e) { return false; }
    }
    if (d === path.dirname(d) || d === path.dirname(taskRoot)) return false;
  }
}

function requireFile(file) {
  if (!fs.existsSync(file)) return undefined;
  return require(file);
}

async function importFile(file) {
  if (!fs.existsSync(file)) return undefined;
  return import(pathToFileURL(file).href);
}

async function loadModule(dir, name) {
  const base = path.resolve(taskRoot, dir, name);
  // A file named exactly as the module (no extension) is CommonJS.
  if (fs.existsSync(base) && fs.statSync(base).isFile()) return require(base);
  const esm = packageTypeIsModule(path.dirname(base));
  if (fs.existsSync(base + '.js')) {
    if (esm) return importFile(base + '.js');
    try {
      return require(base + '.js');
    } catch (e) {
      if (e && (e.code === 'ERR_REQUIRE_ESM' || e.code === 'ERR_REQUIRE_ASYNC_MODULE')) return importFile(base + '.js');
      throw e;
    }
  }
  if (fs.existsSync(base + '.mjs')) return importFile(base + '.mjs');
  if (fs.existsSync(base + '.cjs')) return requireFile(base + '.cjs');
  // A package name ("@scope/pkg.handler") resolves through node_modules and NODE_PATH.
  const resolved = require.resolve(name, { paths: [path.resolve(taskRoot, dir), taskRoot] });
  return require(resolved);
}

async function loadHandler() {
  const slash = handlerString.lastIndexOf('/');
  const dir = slash >= 0 ? handlerString.slice(0, slash) : '';
  const rest = slash >= 0 ? handlerString.slice(slash + 1) : handlerString;
  const dot = rest.indexOf('.');
  if (dot <= 0 || dot === rest.length - 1) {
    throw new RuntimeError('Runtime.MalformedHandlerName', `Bad handler ${handlerString}`);
  }
  const moduleName = rest.slice(0, dot);
  const handlerPath = rest.slice(dot + 1);
  let mod;
  try {
    mod = await loadModule(dir, moduleName);
  } catch (e) {
    if (e instanceof SyntaxError) {
      throw new RuntimeError('Runtime.UserCodeSyntaxError', `${e.name}: ${e.message}`, e);
    }
    if (e && e.code === 'MODULE_NOT_FOUND') {
      throw new RuntimeError('Runtime.ImportModuleError', `${e.name}: ${e.message}`, e);
    }
    throw e;
  }
  let fn = mod;
  for (const part of handlerPath.split('.')) {
    fn = fn == null ? undefined : fn[part];
  }
  if (fn === undefined && mod && mod.default && typeof mod.default === 'object') {
    fn = mod.default;
    for (const part of handlerPath.split('.')) fn = fn == null ? undefined : fn[part];
  }
  if (fn === undefined) {
    throw new RuntimeError('Runtime.HandlerNotFound', `${rest} is undefined or not exported`);
  }
  if (typeof fn !== 'function') {
    throw new RuntimeError('Runtime.HandlerNotFound', `${rest} is not a function`);
  }
  return fn;
}

// ---- context ------------------------------------------------------------------------
function parseJSONHeader(v) {
  if (!v) return undefined;
  return JSON.parse(v);
}

function makeContext(headers, finish) {
  const deadline = Number(headers['lambda-runtime-deadline-ms'] || 0);
  const ctx = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: parseJSONHeader(headers['lambda-runtime-cognito-identity']),
    clientContext: parseJSONHeader(headers['lambda-runtime-client-context']),
    tenantId: headers['lambda-runtime-aws-tenant-id'],
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
  };
  // The legacy context methods end the invocation without waiting for the event loop.
  const done = (err, result) => { ctx.callbackWaitsForEmptyEventLoop = false; finish(err, result); };
  ctx.succeed = (result) => done(null, result);
  ctx.fail = (err) => done(err == null ? 'handled' : err);
  ctx.done = done;
  return ctx;
}

// ---- invoke loop --------------------------------------------------------------------
async function sendResult(id, err, result, quiet) {
  if (err !== null && err !== undefined) {
    const doc = errorDoc(err);
    if (!quiet) logError('Invoke Error', doc);
    await post(`/invocation/${id}/error`, JSON.stringify(doc), doc.errorType);
    return;
  }
  let body;
  try {
    body = JSON.stringify(result === undefined ? null : result);
  } catch (e) {
    const doc = { errorType: 'Runtime.MarshalError', errorMessage: `Unable to stringify response body: ${e.message}`, trace: [] };
    logError('Invoke Error', doc);
    await post(`/invocation/${id}/error`, JSON.stringify(doc), doc.errorType);
    return;
  }
  await post(`/invocation/${id}/response`, body === undefined ? 'null' : body);
}

function runOne(handler, res) {
  return new Promise((done) => {
    let resolve = done;
    const id = res.headers['lambda-runtime-aws-request-id'];
    currentId = id;
    if (res.headers['lambda-runtime-trace-id']) process.env._X_AMZN_TRACE_ID = res.headers['lambda-runtime-trace-id'];
    else delete process.env._X_AMZN_TRACE_ID;
    let finished = false;
    let ctx;
    const finish = (err, result) => {
      if (finished) return;
      finished = true;
      const send = () => sendResult(id, err, result).then(resolve, resolve);
      if (ctx && ctx.callbackWaitsForEmptyEventLoop) {
        // Lambda answers a callback-style handler once the event loop is empty.
        process.once('beforeExit', send);
      } else {
        send();
      }
    };
    invokeDone = (err) => { if (!finished) { finished = true; sendResult(id, err, undefined, true).then(resolve, resolve); } };
    let event;
    try {
      ctx = makeContext(res.headers, finish);
    } catch (e) {
      finished = true;
      const doc = { errorType: 'Runtime.LambdaContextUnmarshalError', errorMessage: `Unable to parse Client Context JSON: ${e.message}`, trace: [] };
      logError('Invoke Error', doc);
      post(`/invocation/${id}/error`, JSON.stringify(doc), doc.errorType).then(resolve, resolve);
      return;
    }
    try {
      event = JSON.parse(res.body.toString('utf8'));
    } catch (e) {
      finished = true;
      const doc = { errorType: 'Runtime.UnmarshalError', errorMessage: `Unable to parse event JSON: ${e.message}`, trace: [] };
      post(`/invocation/${id}/error`, JSON.stringify(doc), doc.errorType).then(resolve, resolve);
      return;
    }
    try {
      const callback = (err, result) => finish(err === undefined ? null : err, result);
      const out = handler(event, ctx, callback);
      if (out && typeof out.then === 'function') {
        ctx.callbackWaitsForEmptyEventLoop = false;
        out.then((r) => finish(null, r), (e) => finish(e === undefined || e === null ? new Error('undefined') : e));
      } else if (!finished) {
        // A handler that neither returns a promise nor calls back answers null once the
        // event loop is empty, as in Lambda.
        const idle = () => { ctx.callbackWaitsForEmptyEventLoop = false; finish(null, null); };
        process.once('beforeExit', idle);
        const r = resolve;
        resolve = (v) => { process.removeListener('beforeExit', idle); r(v); };
      }
    } catch (e) {
      ctx.callbackWaitsForEmptyEventLoop = false;
      finish(e);
    }
  });
}

let initialised = false;

async function fatal(label, err, exitCode) {
  const doc = errorDoc(err);
  logError(label, doc);
  try {
    if (!initialised) await post('/init/error', JSON.stringify(doc), doc.errorType);
    else if (invokeDone) invokeDone(err);
  } catch (e) { /* the environment is going away */ }
  setTimeout(() => process.exit(exitCode), invokeDone ? 50 : 0);
}

process.on('uncaughtException', (err) => { fatal('Uncaught Exception', err, 129); });
process.on('unhandledRejection', (reason) => {
  const err = new Error(String(reason instanceof Error ? `${reason.name}: ${reason.message}` : reason));
  err.name = 'Runtime.UnhandledPromiseRejection';
  if (reason instanceof Error && reason.stack) err.stack = `Runtime.UnhandledPromiseRejection: ${reason.name}: ${reason.message}\n` + reason.stack.split('\n').slice(1).join('\n');
  fatal('Unhandled Promise Rejection', err, 128);
});

async function main() {
  let handler;
  try {
    handler = await loadHandler();
  } catch (e) {
    const doc = errorDoc(e);
    logError('Uncaught Exception', doc);
    try { await post('/init/error', JSON.stringify(doc), doc.errorType); } catch (x) { /* ignore */ }
    process.exit(129);
  }
  initialised = true;
  for (;;) {
    const res = await call('GET', '/invocation/next');
    if (res.status !== 200) process.exit(1);
    await runOne(handler, res);
    invokeDone = null;
  }
}

main();
