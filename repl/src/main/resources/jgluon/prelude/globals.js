// The jgluon prelude, part 3 of 3: the gluon, nn, init and mx namespaces, printing, the script
// helpers, and the globals scripts see (see host.js for how the parts fit together).
(function (J, P) {
  'use strict';

  const {HOST, type, wrap, describe, namespace, NDArray, nd, autograd} = P;

  // ---- gluon, nn, init, mx --------------------------------------------------------------------
  const gluon = namespace('org.jgluon.gluon');
  const nn = gluon.nn || {};
  const init = gluon.init || {};
  const mx = {
    nd, autograd, gluon, init,
    get metric() { return gluon.metric || {}; },
    random: {seed: nd.random.seed, uniform: nd.random.uniform, normal: nd.random.normal},
    cpu: () => 'cpu(0)',
    context: {cpu: () => 'cpu(0)'},
    set_num_threads: n => { type('org.jgluon.engine.Parallel').setThreads(n); },
    num_threads: () => type('org.jgluon.engine.Parallel').threads(),
    __version__: J.version(),
  };
  mx.gluon = gluon;

  // ---- printing -------------------------------------------------------------------------------
  function format(v, depth = 0, quote = true) {
    if (v === undefined) return 'undefined';
    if (v === null) return 'null';
    switch (typeof v) {
      case 'string': return quote ? JSON.stringify(v) : v;
      case 'number': case 'boolean': case 'bigint': return String(v);
      case 'symbol': return v.toString();
    }
    if (v instanceof NDArray) return v.toString();
    const host = typeof v === 'object' || typeof v === 'function' ? v[HOST] : undefined;
    if (host !== undefined) {
      const s = J.str(host);
      return /@[0-9a-f]+$/.test(s) ? `<${J.className(host)}>` : s;
    }
    if (typeof v === 'function') return `[Function${v.name ? ': ' + v.name : ''}]`;
    if (J.kind(v) !== 'js') return J.str(v);
    if (depth > 2) return Array.isArray(v) ? '[...]' : '{...}';
    if (Array.isArray(v)) {
      const items = v.slice(0, 100).map(x => format(x, depth + 1));
      if (v.length > 100) items.push(`... ${v.length - 100} more`);
      return `[${items.join(', ')}]`;
    }
    if (v instanceof Error) return String(v);
    const keys = Object.keys(v);
    return `{${keys.map(k => `${k}: ${format(v[k], depth + 1)}`).join(', ')}}`;
  }

  const plainLog = console.log.bind(console);
  const plainError = console.error.bind(console);
  const text = args => args.map(a => format(a, 0, false)).join(' ');
  console.log = (...a) => plainLog(text(a));
  console.info = console.log;
  console.error = (...a) => plainError(text(a));
  console.warn = console.error;
  const print = console.log;

  // The names a REPL user can complete after `value.`
  function members(v) {
    if (v === null || v === undefined) return [];
    const host = (typeof v === 'object' || typeof v === 'function') ? v[HOST] : undefined;
    if (host !== undefined && !(v instanceof NDArray)) {
      const names = Array.from(J.members(host));
      if (J.resolve(host, 'forward') !== '' && !names.includes('hybridize')) names.push('hybridize');
      return names;
    }
    const seen = new Set();
    for (let o = Object(v); o && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o)) {
      for (const k of Object.getOwnPropertyNames(o)) {
        if (!k.startsWith('_') && k !== 'constructor') seen.add(k);
      }
    }
    return Array.from(seen);
  }

  // ---- script helpers -------------------------------------------------------------------------
  function parse_args(spec, args) {
    const parsed = J.parseArgs(spec, Array.isArray(args) ? args : null);
    const out = {};
    for (const k of Object.keys(parsed)) out[k] = parsed[k];
    out._ = Array.from(out._);
    return out;
  }

  function len(x) {
    if (x === null || x === undefined) throw new TypeError(`len: ${x} has no length`);
    if (x instanceof NDArray) return x.shape[0];
    if (typeof x.length === 'number') return x.length;
    if (x instanceof Map || x instanceof Set) return x.size;
    throw new TypeError(`len: ${describe(x)} has no length`);
  }

  const globals = {
    mx, nd, autograd, gluon, nn, init, print,
    argv: Array.from(J.argv()),
    parse_args,
    exit: code => J.exit(code === undefined ? 0 : code),
    len,
  };
  for (const [k, v] of Object.entries(globals)) {
    Object.defineProperty(globalThis, k, {value: v, writable: true, enumerable: false, configurable: true});
  }
  for (const name of J.extraGlobalNames()) {
    Object.defineProperty(globalThis, name, {value: wrap(J.extraGlobal(name)), writable: true, configurable: true});
  }
  Object.defineProperty(globalThis, '__jgluon', {
    value: Object.freeze({show: v => (v === undefined ? null : format(v)), members, format}),
    enumerable: false,
  });

  P.format = format;
})
