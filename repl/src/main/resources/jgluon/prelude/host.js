// The jgluon prelude, part 1 of 3: reaching Java from JavaScript. Gluon's snake_case names,
// options objects and positional forms are mapped onto the Java API here; every other part calls
// Java through these functions. Evaluated once per context as a function of the bridge J
// (org.jgluon.repl.Bridge) and P, the parts' shared internals (see JsSession: host.js, ndarray.js,
// globals.js, in that order). P.NDArray and P.format come from the later parts and are only
// used at call time.
//
// Tensors stay in Java: an NDArray is a thin handle on an org.jgluon.engine.Tensor and every
// operation is one call into org.jgluon.engine.ops. Other API objects (blocks, trainers, losses,
// datasets) are wrapped in a Proxy that maps Gluon's snake_case names onto the Java methods,
// unwraps arguments, turns options objects into Kwargs (a type mapping in Sandbox) and makes
// blocks callable: net(X). Nothing here loops over tensor data.
(function (J, P) {
  'use strict';

  const HOST = '__host__';

  // ---- Java classes, looked up once -----------------------------------------------------------
  const types = new Map();
  function type(name) {
    let t = types.get(name);
    if (t === undefined) {
      t = J.type(name);
      if (t == null) {
        throw new TypeError(`${name.replace(/^org\.jgluon\./, '')} is not part of this jgluon build`);
      }
      types.set(name, t);
    }
    return t;
  }
  const Nd = () => type('org.jgluon.engine.ops.NdOps');
  const Act = () => type('org.jgluon.engine.ops.ActivationOps');
  const Loss = () => type('org.jgluon.engine.ops.LossOps');
  const Autograd = () => type('org.jgluon.engine.autograd.Autograd');

  // ---- options objects ------------------------------------------------------------------------
  const camel = s => s.replace(/_([a-z0-9])/g, (m, c) => c.toUpperCase());
  const snake = s => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

  function isOptions(o) {
    return o !== null && typeof o === 'object' && !Array.isArray(o) && !(o instanceof P.NDArray)
        && o[HOST] === undefined && Object.getPrototypeOf(o) === Object.prototype;
  }

  // Reads the options of one of the prelude's own functions (snake_case or camelCase keys),
  // rejecting unknown ones the way Kwargs.check does in Java.
  function options(owner, o, allowed) {
    const out = {};
    if (o === undefined || o === null) return out;
    if (!isOptions(o)) throw new TypeError(`${owner}: expected an options object {${allowed.join(', ')}}, got ${P.format(o)}`);
    for (const k of Object.keys(o)) {
      const s = snake(k);
      if (!allowed.includes(s)) {
        const near = allowed.map(a => [a, distance(a, s)]).sort((x, y) => x[1] - y[1])[0];
        const hint = near && near[1] <= Math.max(2, s.length / 3) ? ` — did you mean '${near[0]}'?` : '';
        throw new TypeError(`${owner}: unknown option '${k}'${hint} Options: ${allowed.join(', ')}`);
      }
      out[s] = o[k];
    }
    return out;
  }

  function distance(a, b) {
    let prev = Array.from({length: b.length + 1}, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const cur = [i];
      for (let j = 1; j <= b.length; j++) {
        cur[j] = Math.min(cur[j - 1] + 1, prev[j] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      }
      prev = cur;
    }
    return prev[b.length];
  }

  // A trailing options object, split from the positional arguments.
  function splitOptions(args) {
    const a = Array.from(args);
    const o = a.length > 0 && isOptions(a[a.length - 1]) ? a.pop() : undefined;
    return [a, o];
  }

  // ---- wrapping Java values -------------------------------------------------------------------
  // A Java float reaches JS as the double nearest to it (0.1f → 0.10000000149011612); show it
  // as the shortest decimal that is the same float (0.1), as Python prints a float32.
  function shortFloat(v) {
    if (Number.isInteger(v) || !Number.isFinite(v) || Math.fround(v) !== v) return v;
    for (let p = 1; p <= 9; p++) {
      const s = Number(v.toPrecision(p));
      if (Math.fround(s) === v) return s;
    }
    return v;
  }

  function wrap(v) {
    if (v === null || v === undefined) return v;
    const t = typeof v;
    if (t === 'number') return shortFloat(v);
    if (t !== 'object' && t !== 'function') return v;
    if (v instanceof P.NDArray) return v;
    switch (J.kind(v)) {
      case 'tensor': return new P.NDArray(v);
      case 'block': return hostProxy(v, true);
      case 'object': return hostProxy(v, false);
      case 'tuple': return Array.from(J.components(v), wrap);
      case 'list':
      case 'array': return Array.from(v, wrap);
      default: return v;
    }
  }

  function unwrap(a) {
    if (a === null || a === undefined) return a;
    const t = typeof a;
    if (t !== 'object' && t !== 'function') return a;
    if (a instanceof P.NDArray) return a._t;
    const h = a[HOST];
    if (h !== undefined) return h;
    if (Array.isArray(a)) return a.map(unwrap);
    if (t === 'function') return (...xs) => unwrap(a(...xs.map(wrap)));
    return a;
  }

  function hostProxy(obj, callable) {
    const target = callable ? function () {} : {};
    return new Proxy(target, {
      get: (_, name) => member(obj, name),
      has: (_, name) => name === HOST || (typeof name === 'string' && J.resolve(obj, name) !== ''),
      // interop (Java reading __host__ of an options value) checks existence through this trap
      getOwnPropertyDescriptor: (t, name) => (name === HOST
          ? {value: obj, writable: false, enumerable: false, configurable: true}
          : Reflect.getOwnPropertyDescriptor(t, name)),
      set: (_, name) => {
        throw new TypeError(`cannot set '${String(name)}' on ${J.className(obj)}`);
      },
      apply: (_, self, args) => call(obj, 'forward', args, 'forward'),
    });
  }

  function member(obj, name) {
    if (name === HOST) return obj;
    if (typeof name === 'symbol') {
      if (name === Symbol.iterator && J.isIterable(obj)) {
        return function* () { for (const x of obj) yield wrap(x); };
      }
      if (name === Symbol.toPrimitive) return () => J.str(obj);
      if (name === Symbol.toStringTag) return J.className(obj);
      return undefined;
    }
    if (name === 'toString') return () => J.str(obj);
    if (name === 'then' || name === 'constructor') return undefined;
    if (/^\d+$/.test(name) && J.resolve(obj, 'get') !== '') return wrap(obj.get(Number(name)));
    const r = J.resolve(obj, name);
    if (r === '') return extraMember(obj, name);
    const javaName = r.slice(2);
    if (r[0] === 'p') return wrap(obj[javaName]());
    return (...args) => call(obj, javaName, args, name);
  }

  // Gluon spellings that are not one Java method.
  function extraMember(obj, name) {
    if (name === 'hybridize' && J.resolve(obj, 'forward') !== '') {
      return () => undefined; // accepted, as the table says; the engine runs the same either way
    }
    return undefined;
  }

  // Datasets that run a JavaScript function per item (transform_first(x => ...)): such a
  // function may only run on the script's thread, so their DataLoader loads without workers.
  const jsTransformed = new WeakSet();

  function call(obj, javaName, args, shown) {
    if (javaName === 'summary') {
      // Gluon prints the table and returns None; print it to the script's output, not System.out
      console.log(call(obj, 'summaryTable', args, shown));
      return undefined;
    }
    const adapt = METHOD_ADAPTERS[javaName];
    if (adapt) args = adapt(args);
    let result;
    try {
      result = wrap(invoke(obj, javaName, args.map(unwrap), (o, a) => o[javaName](...a)));
    } catch (e) {
      throw betterTypeError(e, obj, javaName, `${J.className(obj)}.${shown}`, args);
    }
    if (result !== null && typeof result === 'object' && result[HOST] !== undefined
        && args.some(x => typeof x === 'function' && x[HOST] === undefined)) {
      jsTransformed.add(result);
    }
    return result;
  }

  // Gluon keyword arguments of methods whose Java form is positional.
  const METHOD_ADAPTERS = {
    // net.initialize(init.Xavier(), {force_reinit: true}) → initialize({init, force_reinit})
    initialize: args => (args.length === 2 && isOptions(args[1]) ? [Object.assign({init: args[0]}, args[1])] : args),
    // net.load_parameters(file, {allow_missing: true, ignore_extra: true})
    loadParameters: args => {
      if (args.length !== 2 || !isOptions(args[1])) return args;
      const o = options('load_parameters', args[1], ['allow_missing', 'ignore_extra', 'ctx', 'cast_dtype']);
      return [args[0], !!o.allow_missing, !!o.ignore_extra];
    },
  };

  // Calls with Gluon's optional keyword arguments: the Java form may want a trailing Kwargs.
  function invoke(target, javaName, a, run) {
    const pad = J.padKwargs(target, javaName, a.length);
    if (pad === 1) return run(target, [...a, {}]);
    if (pad === 2) {
      try {
        return run(target, a);
      } catch (e) {
        if (!isOverloadError(e)) throw e;
        return run(target, [...a, {}]);
      }
    }
    return run(target, a);
  }

  function construct(cls, simpleName, args) {
    try {
      return wrap(invoke(cls, '<init>', args.map(unwrap), (c, a) => new c(...a)));
    } catch (e) {
      throw betterTypeError(e, cls, '<init>', simpleName, args);
    }
  }

  const isOverloadError = e => e instanceof TypeError
      && /no applicable overload|[Aa]rity|Cannot convert|Invalid argument|Unsupported|not a function/.test(e.message);

  // GraalJS says "no applicable overload" in Java terms; say what was passed and what fits.
  function betterTypeError(e, target, javaName, what, args) {
    if (isOverloadError(e) && /overload|[Aa]rity|Cannot convert|Invalid argument/.test(e.message)) {
      const got = args.map(describe).join(', ');
      const forms = J.signatures(target, javaName, what.replace(/^.*\./, ''));
      return new TypeError(`${what}: cannot be called with (${got})` + (forms ? `; it takes ${forms}` : ''));
    }
    return e;
  }

  function describe(v) {
    if (v instanceof P.NDArray) return `NDArray (${v.shape.join(', ')})`;
    if (Array.isArray(v)) return 'array';
    if (v !== null && (typeof v === 'object' || typeof v === 'function') && v[HOST] !== undefined) {
      return J.className(v[HOST]);
    }
    if (isOptions(v)) return `{${Object.keys(v).join(', ')}}`;
    return v === null ? 'null' : typeof v;
  }

  // A constructor that works with or without `new`.
  function factory(className, simpleName) {
    const f = function (...args) {
      const adapt = CLASS_ADAPTERS[className];
      if (adapt) return wrap(adapt(type(className), args));
      return construct(type(className), simpleName, args);
    };
    Object.defineProperty(f, 'name', {value: simpleName});
    return f;
  }

  // Gluon constructors whose Java form takes positional arguments instead of Kwargs.
  const DATA = 'org.jgluon.gluon.data.';
  function mnistLike(name) {
    return (cls, args) => {
      let [pos, o] = splitOptions(args);
      o = options(name, o, ['root', 'train', 'transform']);
      const root = pos.length > 0 ? pos[0] : o.root;
      const train = pos.length > 1 ? !!pos[1] : (o.train === undefined ? true : !!o.train);
      let ds = root ? new cls(String(root), train) : new cls(train);
      if (o.transform) ds = ds.transform(unwrap(o.transform));
      return ds;
    };
  }
  const CLASS_ADAPTERS = {
    [DATA + 'DataLoader']: (cls, args) => {
      let [pos, o] = splitOptions(args);
      o = options('DataLoader', o, ['batch_size', 'shuffle', 'last_batch', 'num_workers', 'seed',
                                    'sampler', 'batch_sampler', 'batchify_fn', 'pin_memory', 'prefetch', 'thread_pool']);
      for (const k of ['sampler', 'batch_sampler', 'batchify_fn', 'pin_memory', 'prefetch', 'thread_pool']) {
        if (o[k] !== undefined && o[k] !== null && o[k] !== false) {
          throw new TypeError(`DataLoader: option '${k}' is not supported by jgluon; options: batch_size, shuffle, last_batch, num_workers, seed`);
        }
      }
      // Gluon: DataLoader(dataset, batch_size=None, shuffle=False, sampler=None, last_batch=None, ...)
      if (pos.length > 3) {
        throw new TypeError(`DataLoader: takes at most (dataset, batch_size, shuffle) positionally, got ${pos.length} arguments; pass the rest as options, e.g. {last_batch: 'discard'}`);
      }
      if (pos.length > 2) {
        if (typeof pos[2] !== 'boolean') throw new TypeError(`DataLoader: shuffle must be true or false, got ${P.format(pos[2])}`);
        if (o.shuffle !== undefined) throw new TypeError('DataLoader: shuffle given both positionally and as an option');
        o.shuffle = pos[2];
      }
      const dataset = pos[0];
      const batch = pos.length > 1 ? pos[1] : o.batch_size;
      if (!Number.isInteger(batch) || batch < 1) {
        throw new TypeError(`DataLoader: batch_size must be a positive integer, got ${P.format(batch)}`);
      }
      let workers = o.num_workers === undefined ? cls.DEFAULT_WORKERS : o.num_workers;
      if (jsTransformed.has(dataset)) workers = 0; // a JS transform runs on the script's thread only
      const last = o.last_batch === undefined ? 'keep' : String(o.last_batch);
      const ds = unwrap(dataset);
      return o.seed === undefined ? new cls(ds, batch, !!o.shuffle, last, workers)
                                  : new cls(ds, batch, !!o.shuffle, last, workers, o.seed);
    },
    [DATA + 'vision.FashionMNIST']: mnistLike('FashionMNIST'),
    [DATA + 'vision.MNIST']: mnistLike('MNIST'),
    [DATA + 'vision.transforms.Resize']: (cls, args) => {
      let [pos, o] = splitOptions(args);
      o = options('Resize', o, ['size', 'keep_ratio', 'interpolation']);
      if (o.keep_ratio) throw new TypeError('Resize: keep_ratio is not supported by jgluon');
      const size = pos.length > 0 ? pos[0] : o.size;
      if (Array.isArray(size)) return new cls(size[0], size[1]);
      if (!Number.isInteger(size)) throw new TypeError(`Resize: size must be an integer or [width, height], got ${P.format(size)}`);
      return new cls(size);
    },
    [DATA + 'vision.transforms.Compose']: (cls, args) => {
      const steps = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
      return new cls(steps.map(unwrap));
    },
  };

  // The API classes of a Java package, and its sub-packages, as a namespace object.
  function namespace(pkg) {
    const ns = {};
    for (const sub of J.subPackages(pkg)) {
      let cached;
      Object.defineProperty(ns, sub, {enumerable: true, configurable: true,
        get: () => cached || (cached = namespace(pkg + '.' + sub))});
    }
    for (const name of J.classesIn(pkg)) {
      let cached;
      Object.defineProperty(ns, name, {enumerable: true, configurable: true,
        get: () => cached || (cached = factory(pkg + '.' + name, name)),
        set: v => { cached = v; }});
    }
    return ns;
  }

  Object.assign(P, {HOST, type, Nd, Act, Loss, Autograd, isOptions, options, splitOptions, shortFloat,
                    wrap, unwrap, describe, namespace});
})
