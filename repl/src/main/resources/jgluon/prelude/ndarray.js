// The jgluon prelude, part 2 of 3: NDArray, nd and autograd, each operation one call into
// org.jgluon.engine.ops (see host.js for how the parts fit together).
(function (J, P) {
  'use strict';

  const {HOST, type, Nd, Act, Loss, Autograd, isOptions, options, splitOptions, shortFloat, describe} = P;
  const format = v => P.format(v);

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
    // MXNet: backward(out_grad=None, retain_graph=False, train_mode=True)
    backward(...args) {
      const [grads, retain] = backwardArgs('backward', args);
      Autograd().backward([this._t], grads === null ? null : [tensorOf(grads, 'backward')], retain);
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
  // backward's optional arguments: (head_grad, retain_graph, train_mode) positionally, or as
  // options {retain_graph, train_mode} after the head gradient or in its place
  function backwardArgs(owner, args) {
    let [pos, o] = splitOptions(args);
    o = options(owner, o, ['out_grad', 'head_grads', 'retain_graph', 'train_mode']);
    let grads = pos.length > 0 ? pos[0] : (o.out_grad !== undefined ? o.out_grad : o.head_grads);
    if (grads === undefined) grads = null;
    const retain = pos.length > 1 ? pos[1] : o.retain_graph;
    if (retain !== undefined && typeof retain !== 'boolean') {
      throw new TypeError(`${owner}: retain_graph must be true or false, got ${format(retain)}`);
    }
    return [grads, !!retain];
  }

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
    // MXNet: autograd.backward(heads, head_grads=None, retain_graph=False, train_mode=True), all
    // heads in one pass (as from their sum)
    backward(heads, ...args) {
      const [grads, retain] = backwardArgs('autograd.backward', args);
      const many = Array.isArray(heads);
      const hs = (many ? heads : [heads]).map(h => tensorOf(h, 'autograd.backward'));
      let gs = null;
      if (grads !== null) {
        gs = (many ? grads : [grads]).map(g => tensorOf(g, 'autograd.backward'));
      }
      Autograd().backward(hs, gs, retain);
    },
  };

  Object.assign(P, {NDArray, nd, autograd});
})
