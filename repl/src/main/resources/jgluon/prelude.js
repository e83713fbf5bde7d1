// The jgluon prelude: gives the Java API its Gluon shape in JavaScript (see DESIGN.md, "JavaScript
// front end"). Evaluated once per context as a function of the bridge J (org.jgluon.repl.Bridge),
// it defines the globals mx, nd, autograd, gluon, init, nn, argv, parse_args, exit, len.
//
// Tensors stay in Java: an NDArray here is a thin handle on an org.jgluon.engine.Tensor and every
// operation is one call into org.jgluon.engine.ops. Other API objects (blocks, trainers, losses,
// datasets) are wrapped in a Proxy that maps Gluon's snake_case names onto the Java methods,
// unwraps arguments, turns options objects into Kwargs (a type mapping in Sandbox) and makes
// blocks callable: net(X). Nothing here loops over tensor data.
(function (J) {
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
  const TensorClass = () => type('org.jgluon.engine.Tensor');
  const Autograd = () => type('org.jgluon.engine.autograd.Autograd');

  // ---- options objects ------------------------------------------------------------------------
  const camel = s => s.replace(/_([a-z0-9])/g, (m, c) => c.toUpperCase());
  const snake = s => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

  function isOptions(o) {
    return o !== null && typeof o === 'object' && !Array.isArray(o) && !(o instanceof NDArray)
        && o[HOST] === undefined && Object.getPrototypeOf(o) === Object.prototype;
  }

  // Reads the options of one of the prelude's own functions (snake_case or camelCase keys),
  // rejecting unknown ones the way Kwargs.check does in Java.
  function options(owner, o, allowed) {
    const out = {};
    if (o === undefined || o === null) return out;
    if (!isOptions(o)) throw new TypeError(`${owner}: expected an options object {${allowed.join(', ')}}, got ${format(o)}`);
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
    if (v instanceof NDArray) return v;
    switch (J.kind(v)) {
      case 'tensor': return new NDArray(v);
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
    if (a instanceof NDArray) return a._t;
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
    if (javaName === 'summary') {
      return undefined; // Block.summary has printed the table, as Gluon does
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
    if (v instanceof NDArray) return `NDArray (${v.shape.join(', ')})`;
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
        if (typeof pos[2] !== 'boolean') throw new TypeError(`DataLoader: shuffle must be true or false, got ${format(pos[2])}`);
        if (o.shuffle !== undefined) throw new TypeError('DataLoader: shuffle given both positionally and as an option');
        o.shuffle = pos[2];
      }
      const dataset = pos[0];
      const batch = pos.length > 1 ? pos[1] : o.batch_size;
      if (!Number.isInteger(batch) || batch < 1) {
        throw new TypeError(`DataLoader: batch_size must be a positive integer, got ${format(batch)}`);
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
      if (!Number.isInteger(size)) throw new TypeError(`Resize: size must be an integer or [width, height], got ${format(size)}`);
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

  // ---- NDArray --------------------------------------------------------------------------------
  function tensorOf(x, what) {
    if (x instanceof NDArray) return x._t;
    if (typeof x === 'number' || Array.isArray(x) || ArrayBuffer.isView(x)) return J.tensor(x);
    if (x !== null && typeof x === 'object' && J.kind(x) === 'tensor') return x;
    throw new TypeError(`${what || 'nd'}: expected an NDArray, a number or an array, got ${describe(x)}`);
  }
  const T = t => new NDArray(t);

  function binary(op, scalarOp, reverseScalarOp) {
    return (a, b) => {
      if (typeof b === 'number' && typeof a !== 'number') return T(Nd()[scalarOp](tensorOf(a, op), b));
      if (typeof a === 'number' && typeof b !== 'number') return T(Nd()[reverseScalarOp](tensorOf(b, op), a));
      return T(Nd()[op](tensorOf(a, op), tensorOf(b, op)));
    };
  }
  const ADD = binary('add', 'addScalar', 'addScalar');
  const SUB = binary('sub', 'subScalar', 'rsubScalar');
  const MUL = binary('mul', 'mulScalar', 'mulScalar');
  const DIV = binary('div', 'divScalar', 'rdivScalar');
  const POW = binary('pow', 'powScalar', 'rpowScalar');
  const MAXIMUM = (a, b) => T(Nd().maximum(tensorOf(a, 'maximum'), tensorOf(b, 'maximum')));
  const MINIMUM = (a, b) => T(Nd().minimum(tensorOf(a, 'minimum'), tensorOf(b, 'minimum')));
  const compare = op => (a, b) => T(Nd()[op](tensorOf(a, op), typeof b === 'number' ? b : tensorOf(b, op)));

  // x.sum(), x.sum(1), x.sum({axis: 1, keepdims: true}), x.sum([0, 1])
  function axisArgs(owner, args) {
    let [pos, o] = splitOptions(args);
    o = options(owner, o, ['axis', 'keepdims', 'exclude']);
    let axis = pos.length > 0 ? pos[0] : o.axis;
    const keep = pos.length > 1 ? !!pos[1] : !!o.keepdims;
    if (axis === undefined || axis === null) axis = null;
    else if (typeof axis === 'number') axis = [axis];
    else if (!Array.isArray(axis)) throw new TypeError(`${owner}: axis must be a number or an array of numbers`);
    return [axis, keep];
  }
  const reduce = op => function (x, ...args) {
    const [axes, keep] = axisArgs(op, args);
    return T(Nd()[op](tensorOf(x, op), axes, keep));
  };
  function argmaxOf(x, ...args) {
    let [pos, o] = splitOptions(args);
    o = options('argmax', o, ['axis', 'keepdims']);
    const axis = pos.length > 0 ? pos[0] : o.axis;
    let t = tensorOf(x, 'argmax');
    if (axis === undefined || axis === null) return T(Nd().argmax(Nd().reshape(t, -1), 0));
    let r = Nd().argmax(t, axis);
    if (o.keepdims) r = Nd().expandDims(r, axis < 0 ? axis + t.ndim() : axis);
    return T(r);
  }

  // shape arguments: f(2, 3), f([2, 3]), f({shape: [2, 3]})
  function shapeArgs(owner, args) {
    if (args.length === 1 && Array.isArray(args[0])) return args[0];
    if (args.length === 1 && isOptions(args[0])) {
      const o = options(owner, args[0], ['shape', 'reverse']);
      return Array.isArray(o.shape) ? o.shape : [o.shape];
    }
    for (const d of args) {
      if (!Number.isInteger(d)) throw new TypeError(`${owner}: a shape is integers, got ${format(d)}`);
    }
    return args;
  }

  function nested(flat, shape, off, axis) {
    if (axis === shape.length) return flat[off];
    const n = shape[axis];
    let stride = 1;
    for (let i = axis + 1; i < shape.length; i++) stride *= shape[i];
    const out = new Array(n);
    for (let i = 0; i < n; i++) out[i] = nested(flat, shape, off + i * stride, axis + 1);
    return out;
  }

  class NDArray {
    constructor(t) {
      this._t = t;
    }
    get [HOST]() { return this._t; }
    get shape() { return Array.from(this._t.shape()); }
    get ndim() { return this._t.ndim(); }
    get size() { return this._t.size(); }
    get dtype() { return 'float32'; }
    get context() { return 'cpu(0)'; }
    get grad() { const g = this._t.grad(); return g == null ? null : T(g); }
    get T() { return this.transpose(); }

    toString() { return this._t.toString(); }
    toJSON() { return this.tolist(); }
    asscalar() { return shortFloat(this._t.asScalar()); }
    /** The values as (nested) JS arrays: a copy, for small tensors. */
    tolist() { return nested(Array.from(this._t.toArray(), shortFloat), this.shape, 0, 0); }
    asnumpy() { return this.tolist(); }
    astype(dtype) {
      if (dtype !== 'float32' && dtype !== 'float') throw new TypeError(`astype: jgluon tensors are float32, not ${dtype}`);
      return this;
    }
    as_in_context() { return this; }
    copy() { return T(this._t.copy()); }
    copyto(other) {
      if (other instanceof NDArray) { other._t.copyFrom(this._t); return other; }
      return this.copy();
    }
    detach() { return T(this._t.detach()); }

    attach_grad(grad_req) {
      if (grad_req === undefined) this._t.attachGrad();
      else this._t.attachGrad(type('org.jgluon.engine.autograd.GradReq')[String(grad_req).toUpperCase()]);
      return undefined;
    }
    backward(head_grad) {
      if (head_grad === undefined || head_grad === null) this._t.backward();
      else this._t.backward(tensorOf(head_grad, 'backward'));
      return undefined;
    }

    add(y) { return ADD(this, y); }
    sub(y) { return SUB(this, y); }
    subtract(y) { return SUB(this, y); }
    mul(y) { return MUL(this, y); }
    multiply(y) { return MUL(this, y); }
    div(y) { return DIV(this, y); }
    divide(y) { return DIV(this, y); }
    pow(y) { return POW(this, y); }
    maximum(y) { return MAXIMUM(this, y); }
    minimum(y) { return MINIMUM(this, y); }
    neg() { return T(Nd().neg(this._t)); }
    exp() { return T(Nd().exp(this._t)); }
    log() { return T(Nd().log(this._t)); }
    sqrt() { return T(Nd().sqrt(this._t)); }
    abs() { return T(Nd().abs(this._t)); }
    square() { return T(Nd().square(this._t)); }
    relu() { return T(Act().relu(this._t)); }
    sigmoid() { return T(Act().sigmoid(this._t)); }
    tanh() { return T(Act().tanh(this._t)); }
    softmax(o) { return nd.softmax(this, o); }
    log_softmax(o) { return nd.log_softmax(this, o); }

    eq(y) { return compare('eq')(this, y); }
    ne(y) { return compare('ne')(this, y); }
    lt(y) { return compare('lt')(this, y); }
    gt(y) { return compare('gt')(this, y); }
    le(y) { return compare('le')(this, y); }
    ge(y) { return compare('ge')(this, y); }

    sum(...a) { return reduce('sum')(this, ...a); }
    mean(...a) { return reduce('mean')(this, ...a); }
    max(...a) { return reduce('max')(this, ...a); }
    min(...a) { return reduce('min')(this, ...a); }
    argmax(...a) { return argmaxOf(this, ...a); }

    dot(y, o) { return nd.dot(this, y, o); }
    reshape(...shape) { return T(Nd().reshape(this._t, ...shapeArgs('reshape', shape))); }
    flatten() { return T(Nd().flatten(this._t)); }
    expand_dims(axis) { return nd.expand_dims(this, axis); }
    transpose(...axes) { return nd.transpose(this, ...axes); }
    zeros_like() { return nd.zeros_like(this); }
    ones_like() { return nd.ones_like(this); }
  }

  // ---- nd -------------------------------------------------------------------------------------
  function randomArgs(owner, names, defaults, args) {
    let [pos, o] = splitOptions(args);
    o = options(owner, o, [...names, 'shape', 'dtype', 'ctx']);
    const v = names.map((n, i) => (pos.length > i ? pos[i] : (o[n] !== undefined ? o[n] : defaults[i])));
    let shape = pos.length > names.length ? pos[names.length] : o.shape;
    if (shape === undefined) shape = [1];
    if (typeof shape === 'number') shape = [shape];
    return [...v, shape];
  }

  const nd = {
    NDArray,
    array(data, o) {
      options('nd.array', o, ['dtype', 'ctx']);
      if (data instanceof NDArray) return data.copy();
      return T(J.tensor(data));
    },
    zeros: (...s) => T(Nd().zeros(...shapeArgs('nd.zeros', s))),
    ones: (...s) => T(Nd().ones(...shapeArgs('nd.ones', s))),
    empty: (...s) => T(Nd().zeros(...shapeArgs('nd.empty', s))),
    full: (shape, value) => T(Nd().full(value, ...shapeArgs('nd.full', [shape]))),
    zeros_like: x => T(Nd().zeros(...tensorOf(x, 'zeros_like').shape())),
    ones_like: x => T(Nd().ones(...tensorOf(x, 'ones_like').shape())),
    arange(start, stop, step, o) {
      if (isOptions(stop)) { o = stop; stop = undefined; }
      if (isOptions(step)) { o = step; step = undefined; }
      options('nd.arange', o, ['dtype', 'ctx']);
      if (stop === undefined || stop === null) { stop = start; start = 0; }
      return T(Nd().arange(start, stop, step === undefined ? 1 : step));
    },
    add: ADD, subtract: SUB, multiply: MUL, divide: DIV, power: POW, maximum: MAXIMUM, minimum: MINIMUM,
    negative: x => T(Nd().neg(tensorOf(x, 'negative'))),
    exp: x => T(Nd().exp(tensorOf(x, 'exp'))),
    log: x => T(Nd().log(tensorOf(x, 'log'))),
    sqrt: x => T(Nd().sqrt(tensorOf(x, 'sqrt'))),
    abs: x => T(Nd().abs(tensorOf(x, 'abs'))),
    square: x => T(Nd().square(tensorOf(x, 'square'))),
    relu: x => T(Act().relu(tensorOf(x, 'relu'))),
    sigmoid: x => T(Act().sigmoid(tensorOf(x, 'sigmoid'))),
    tanh: x => T(Act().tanh(tensorOf(x, 'tanh'))),
    softmax(x, o) {
      o = options('softmax', o, ['axis']);
      return T(Loss().softmax(tensorOf(x, 'softmax'), o.axis === undefined ? -1 : o.axis));
    },
    log_softmax(x, o) {
      o = options('log_softmax', o, ['axis']);
      return T(Loss().logSoftmax(tensorOf(x, 'log_softmax'), o.axis === undefined ? -1 : o.axis));
    },
    equal: compare('eq'), not_equal: compare('ne'), greater: compare('gt'), lesser: compare('lt'),
    greater_equal: compare('ge'), lesser_equal: compare('le'),
    sum: reduce('sum'), mean: reduce('mean'), max: reduce('max'), min: reduce('min'), argmax: argmaxOf,
    dot(a, b, o) {
      o = options('nd.dot', o, ['transpose_a', 'transpose_b']);
      return T(Nd().dot(tensorOf(a, 'dot'), tensorOf(b, 'dot'), !!o.transpose_a, !!o.transpose_b));
    },
    reshape(x, ...shape) { return T(Nd().reshape(tensorOf(x, 'reshape'), ...shapeArgs('reshape', shape))); },
    flatten: x => T(Nd().flatten(tensorOf(x, 'flatten'))),
    expand_dims(x, axis) {
      if (isOptions(axis)) axis = options('expand_dims', axis, ['axis']).axis;
      if (!Number.isInteger(axis)) throw new TypeError('expand_dims: axis must be an integer');
      return T(Nd().expandDims(tensorOf(x, 'expand_dims'), axis));
    },
    transpose(x, ...axes) {
      if (axes.length === 1 && isOptions(axes[0])) axes = options('transpose', axes[0], ['axes']).axes || [];
      else if (axes.length === 1 && Array.isArray(axes[0])) axes = axes[0];
      return T(Nd().transpose(tensorOf(x, 'transpose'), ...axes));
    },
    concat(...args) {
      let [arrays, o] = splitOptions(args);
      o = options('nd.concat', o, ['dim', 'axis']);
      if (arrays.length === 1 && Array.isArray(arrays[0])) arrays = arrays[0];
      const dim = o.dim !== undefined ? o.dim : (o.axis !== undefined ? o.axis : 1);
      return T(Nd().concat(dim, ...arrays.map(a => tensorOf(a, 'concat'))));
    },
    random: {
      uniform(...args) {
        const [low, high, shape] = randomArgs('nd.random.uniform', ['low', 'high'], [0, 1], args);
        return T(Nd().randomUniform(low, high, ...shape));
      },
      normal(...args) {
        const [loc, scale, shape] = randomArgs('nd.random.normal', ['loc', 'scale'], [0, 1], args);
        return T(Nd().randomNormal(loc, scale, ...shape));
      },
      seed: s => { type('org.jgluon.engine.Rng').seedGlobal(s); },
    },
    waitall: () => undefined, // every operation is synchronous
  };

  // ---- autograd -------------------------------------------------------------------------------
  function needsFunction(name, fn) {
    if (typeof fn !== 'function') {
      throw new TypeError(`autograd.${name} takes a function: autograd.${name}(() => { ... }) `
          + `(JavaScript has no 'with' blocks)`);
    }
  }
  const autograd = {
    record(fn, o) {
      needsFunction('record', fn);
      o = options('autograd.record', o, ['train_mode']);
      let result;
      Autograd().record(o.train_mode === undefined ? true : !!o.train_mode, () => { result = fn(); return null; });
      return result;
    },
    pause(fn, o) {
      needsFunction('pause', fn);
      o = options('autograd.pause', o, ['train_mode']);
      let result;
      Autograd().pause(!!o.train_mode, () => { result = fn(); return null; });
      return result;
    },
    train_mode(fn) {
      needsFunction('train_mode', fn);
      let result;
      Autograd().trainMode(() => { result = fn(); return null; });
      return result;
    },
    predict_mode(fn) {
      needsFunction('predict_mode', fn);
      let result;
      Autograd().predictMode(() => { result = fn(); return null; });
      return result;
    },
    is_recording: () => Autograd().isRecording(),
    is_training: () => Autograd().isTraining(),
    backward(heads, head_grads) {
      if (Array.isArray(heads)) heads.forEach((h, i) => h.backward(head_grads ? head_grads[i] : undefined));
      else heads.backward(head_grads);
    },
  };

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
})
