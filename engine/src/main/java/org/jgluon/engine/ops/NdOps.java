package org.jgluon.engine.ops;

import static org.jgluon.engine.ops.NdRaw.GRAIN;
import static org.jgluon.engine.ops.NdRaw.accumulate;
import static org.jgluon.engine.ops.NdRaw.accumulateBroadcast;
import static org.jgluon.engine.ops.NdRaw.accumulateProduct;
import static org.jgluon.engine.ops.NdRaw.compute;
import static org.jgluon.engine.ops.NdRaw.permute;
import static org.jgluon.engine.ops.NdRaw.raw;
import static org.jgluon.engine.ops.NdRaw.rawScalar;
import static org.jgluon.engine.ops.NdRaw.rawUnary;

import java.util.Arrays;

import org.jgluon.engine.Parallel;
import org.jgluon.engine.Rng;
import org.jgluon.engine.Shapes;
import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.Autograd;
import org.jgluon.engine.autograd.GradTarget;
import org.jgluon.engine.memory.BufferPool;
import org.jgluon.engine.kernels.DenseKernels;
import org.jgluon.engine.kernels.ElementwiseKernels;
import org.jgluon.engine.kernels.ElementwiseKernels.Binary;
import org.jgluon.engine.kernels.ElementwiseKernels.Unary;
import org.jgluon.engine.kernels.ReduceKernels;
import org.jgluon.engine.kernels.ReduceKernels.Reduce;
import org.jgluon.engine.kernels.Sgemm;

/**
 * The general tensor operations ({@code nd.*}) with autograd: broadcasting arithmetic,
 * comparisons, reductions, shape changes, {@code dot}, {@code dense} and creation. Every
 * differentiable op runs its forward and records its backward with {@link Autograd#recordOp};
 * backward adds into {@code in.gradBuffer()} of each input that requires grad, summing over the
 * axes an input was broadcast along.
 *
 * <p>Shapes broadcast as in NumPy and MXNet's {@code broadcast_*}: aligned from the right, each
 * extent equal or 1. A full reduction gives shape {@code (1,)}, as in MXNet.
 */
public final class NdOps {

    private NdOps() {}

    // =====================================================================================
    // Broadcasting binary ops. c = a op b; shapes broadcast. Backward needs a, b (and c).
    // =====================================================================================

    public static Tensor add(Tensor a, Tensor b) {
        return binary("add", Binary.ADD, a, b);
    }

    public static Tensor sub(Tensor a, Tensor b) {
        return binary("sub", Binary.SUB, a, b);
    }

    public static Tensor mul(Tensor a, Tensor b) {
        return binary("mul", Binary.MUL, a, b);
    }

    public static Tensor div(Tensor a, Tensor b) {
        return binary("div", Binary.DIV, a, b);
    }

    public static Tensor pow(Tensor a, Tensor b) {
        return binary("pow", Binary.POW, a, b);
    }

    public static Tensor maximum(Tensor a, Tensor b) {
        return binary("maximum", Binary.MAX, a, b);
    }

    public static Tensor minimum(Tensor a, Tensor b) {
        return binary("minimum", Binary.MIN, a, b);
    }

    private static Tensor binary(String name, Binary op, Tensor a, Tensor b) {
        Tensor c = compute(name, op, a, b);
        return Autograd.recordOp(name, c, g -> binaryBackward(op, a, b, c, g), a, b);
    }

    /**
     * Gradients of c = a op b, each computed in c's shape and summed back to its input's shape:
     * add: (g, g); sub: (g, −g); mul: (g·b, g·a); div: (g/b, −g·c/b); pow: (g·b·a^(b−1), g·c·ln a);
     * maximum: ties go to a, as in MXNet (g·[a ≥ b], g·[a < b]); minimum: (g·[a ≤ b], g·[a > b]).
     */
    private static void binaryBackward(Binary op, Tensor a, Tensor b, Tensor c, Tensor g) {
        boolean ga = a.requiresGrad(), gb = b.requiresGrad();
        switch (op) {
            case ADD -> {
                if (ga) accumulate(a, g, 1f);
                if (gb) accumulate(b, g, 1f);
            }
            case SUB -> {
                if (ga) accumulate(a, g, 1f);
                if (gb) accumulate(b, g, -1f);
            }
            case MUL -> {
                if (ga) accumulateProduct(a, g, b);
                if (gb) accumulateProduct(b, g, a);
            }
            case DIV -> {
                if (ga) accumulate(a, raw(Binary.DIV, g, b), 1f);
                if (gb) accumulate(b, raw(Binary.DIV, raw(Binary.MUL, g, c), b), -1f);
            }
            case POW -> {
                if (ga) {
                    Tensor aPowBm1 = raw(Binary.POW, a, rawScalar(Binary.SUB, b, 1f, false));
                    accumulate(a, raw(Binary.MUL, raw(Binary.MUL, g, b), aPowBm1), 1f);
                }
                if (gb) accumulate(b, raw(Binary.MUL, raw(Binary.MUL, g, c), rawUnary(Unary.LOG, a)), 1f);
            }
            case MAX -> {
                if (ga) accumulate(a, raw(Binary.MUL, g, raw(Binary.GE, a, b)), 1f);
                if (gb) accumulate(b, raw(Binary.MUL, g, raw(Binary.LT, a, b)), 1f);
            }
            case MIN -> {
                if (ga) accumulate(a, raw(Binary.MUL, g, raw(Binary.LE, a, b)), 1f);
                if (gb) accumulate(b, raw(Binary.MUL, g, raw(Binary.GT, a, b)), 1f);
            }
            default -> throw new IllegalStateException("no gradient for " + op);
        }
    }

    // =====================================================================================
    // Comparisons: 1 where true, 0 elsewhere; not differentiable (never recorded).
    // =====================================================================================

    public static Tensor eq(Tensor a, Tensor b) { return compute("eq", Binary.EQ, a, b); }
    public static Tensor ne(Tensor a, Tensor b) { return compute("ne", Binary.NE, a, b); }
    public static Tensor lt(Tensor a, Tensor b) { return compute("lt", Binary.LT, a, b); }
    public static Tensor gt(Tensor a, Tensor b) { return compute("gt", Binary.GT, a, b); }
    public static Tensor le(Tensor a, Tensor b) { return compute("le", Binary.LE, a, b); }
    public static Tensor ge(Tensor a, Tensor b) { return compute("ge", Binary.GE, a, b); }

    public static Tensor eq(Tensor a, float s) { return rawScalar(Binary.EQ, a, s, false); }
    public static Tensor ne(Tensor a, float s) { return rawScalar(Binary.NE, a, s, false); }
    public static Tensor lt(Tensor a, float s) { return rawScalar(Binary.LT, a, s, false); }
    public static Tensor gt(Tensor a, float s) { return rawScalar(Binary.GT, a, s, false); }
    public static Tensor le(Tensor a, float s) { return rawScalar(Binary.LE, a, s, false); }
    public static Tensor ge(Tensor a, float s) { return rawScalar(Binary.GE, a, s, false); }

    // =====================================================================================
    // Scalar ops. Backward needs s, and for rdiv/pow/rpow the input or output.
    // =====================================================================================

    /** a + s; backward g. */
    public static Tensor addScalar(Tensor a, float s) {
        Tensor c = rawScalar(Binary.ADD, a, s, false);
        return Autograd.recordOp("addScalar", c, g -> accumulate(a, g, 1f), a);
    }

    /** a − s; backward g. */
    public static Tensor subScalar(Tensor a, float s) {
        Tensor c = rawScalar(Binary.SUB, a, s, false);
        return Autograd.recordOp("subScalar", c, g -> accumulate(a, g, 1f), a);
    }

    /** s − a; backward −g. */
    public static Tensor rsubScalar(Tensor a, float s) {
        Tensor c = rawScalar(Binary.SUB, a, s, true);
        return Autograd.recordOp("rsubScalar", c, g -> accumulate(a, g, -1f), a);
    }

    /** a·s; backward g·s. */
    public static Tensor mulScalar(Tensor a, float s) {
        Tensor c = rawScalar(Binary.MUL, a, s, false);
        return Autograd.recordOp("mulScalar", c, g -> accumulate(a, g, s), a);
    }

    /** a / s; backward g / s. */
    public static Tensor divScalar(Tensor a, float s) {
        Tensor c = rawScalar(Binary.DIV, a, s, false);
        return Autograd.recordOp("divScalar", c, g -> accumulate(a, rawScalar(Binary.DIV, g, s, false), 1f), a);
    }

    /** s / a; backward −g·c/a. */
    public static Tensor rdivScalar(Tensor a, float s) {
        Tensor c = rawScalar(Binary.DIV, a, s, true);
        return Autograd.recordOp("rdivScalar", c,
                g -> accumulate(a, raw(Binary.DIV, raw(Binary.MUL, g, c), a), -1f), a);
    }

    /** a^s; backward g·s·a^(s−1). */
    public static Tensor powScalar(Tensor a, float s) {
        Tensor c = rawScalar(Binary.POW, a, s, false);
        return Autograd.recordOp("powScalar", c,
                g -> accumulate(a, raw(Binary.MUL, g, rawScalar(Binary.POW, a, s - 1f, false)), s), a);
    }

    /** s^a; backward g·c·ln s. */
    public static Tensor rpowScalar(Tensor a, float s) {
        Tensor c = rawScalar(Binary.POW, a, s, true);
        return Autograd.recordOp("rpowScalar", c, g -> accumulate(a, raw(Binary.MUL, g, c), (float) Math.log(s)), a);
    }

    // =====================================================================================
    // Unary ops. Backward: neg −g; exp g·y; log g/x; sqrt g/(2y); abs g·sign(x); square 2x·g.
    // =====================================================================================

    public static Tensor neg(Tensor x) {
        Tensor y = rawUnary(Unary.NEG, x);
        return Autograd.recordOp("neg", y, g -> accumulate(x, g, -1f), x);
    }

    public static Tensor exp(Tensor x) {
        Tensor y = rawUnary(Unary.EXP, x);
        return Autograd.recordOp("exp", y, g -> accumulateProduct(x, g, y), x);
    }

    public static Tensor log(Tensor x) {
        Tensor y = rawUnary(Unary.LOG, x);
        return Autograd.recordOp("log", y, g -> accumulate(x, raw(Binary.DIV, g, x), 1f), x);
    }

    public static Tensor sqrt(Tensor x) {
        Tensor y = rawUnary(Unary.SQRT, x);
        return Autograd.recordOp("sqrt", y, g -> accumulate(x, raw(Binary.DIV, g, y), 0.5f), x);
    }

    public static Tensor abs(Tensor x) {
        Tensor y = rawUnary(Unary.ABS, x);
        return Autograd.recordOp("abs", y, g -> {
            Tensor sign = raw(Binary.SUB, rawScalar(Binary.GT, x, 0f, false), rawScalar(Binary.LT, x, 0f, false));
            accumulate(x, raw(Binary.MUL, g, sign), 1f);
        }, x);
    }

    public static Tensor square(Tensor x) {
        Tensor y = rawUnary(Unary.SQUARE, x);
        return Autograd.recordOp("square", y, g -> accumulate(x, raw(Binary.MUL, g, x), 2f), x);
    }

    // =====================================================================================
    // Reductions. Output: kept axes (reduced ones as 1 with keepdims); (1,) when nothing is left.
    // sum: dx = broadcast(g); mean: broadcast(g)/count; max/min: broadcast(g)·[x == y] (ties all get g).
    // =====================================================================================

    public static Tensor sum(Tensor x, int[] axes, boolean keepdims) {
        return reduction("sum", Reduce.SUM, false, x, axes, keepdims);
    }

    public static Tensor mean(Tensor x, int[] axes, boolean keepdims) {
        return reduction("mean", Reduce.SUM, true, x, axes, keepdims);
    }

    public static Tensor max(Tensor x, int[] axes, boolean keepdims) {
        return reduction("max", Reduce.MAX, false, x, axes, keepdims);
    }

    public static Tensor min(Tensor x, int[] axes, boolean keepdims) {
        return reduction("min", Reduce.MIN, false, x, axes, keepdims);
    }

    /** Sum of all elements, shape (1,). */
    public static Tensor sum(Tensor x) {
        return sum(x, null, false);
    }

    /** Mean of all elements, shape (1,). */
    public static Tensor mean(Tensor x) {
        return mean(x, null, false);
    }

    private static Tensor reduction(String name, Reduce op, boolean mean, Tensor x, int[] axes, boolean keepdims) {
        int[] shape = x.shape();
        boolean[] reduced = reducedAxes(name, shape, axes);
        int[] keptShape = shape.clone();
        int count = 1;
        for (int i = 0; i < shape.length; i++) {
            if (reduced[i]) {
                count *= shape[i];
                keptShape[i] = 1;
            }
        }
        if (count == 0 && op != Reduce.SUM) {
            throw new IllegalArgumentException(name + ": cannot reduce an empty axis of shape " + Shapes.str(shape));
        }
        int[] outShape = keepdims ? keptShape : dropReduced(shape, reduced);
        Tensor y = Tensor.zeros(outShape);
        double divisor = mean ? Math.max(1, count) : 1.0;
        ReduceKernels.reduce(op, x.data(), x.offset(), shape, reduced, y.data(), 0, divisor);
        final int n = count;
        return Autograd.recordOp(name, y, g -> {
            Tensor gk = g.view(keptShape);
            if (op == Reduce.SUM) {
                if (mean) gk = rawScalar(Binary.MUL, gk, 1f / n, false);
                accumulateBroadcast(x, gk);
            } else {
                Tensor mask = raw(Binary.EQ, x, y.view(keptShape));
                accumulate(x, raw(Binary.MUL, mask, gk), 1f);
            }
        }, x);
    }

    /** Index of the largest value along {@code axis} (the first one on ties), as floats; the axis is dropped. */
    public static Tensor argmax(Tensor x, int axis) {
        int[] shape = x.shape();
        int ax = normalizeAxis("argmax", axis, shape.length, shape);
        int r = shape[ax];
        if (r == 0) throw new IllegalArgumentException("argmax: axis " + axis + " of shape " + Shapes.str(shape) + " is empty");
        boolean[] reduced = new boolean[shape.length];
        reduced[ax] = true;
        Tensor y = Tensor.zeros(dropReduced(shape, reduced));
        ReduceKernels.argmax(x.data(), x.offset(), Shapes.prod(shape, 0, ax), r,
                Shapes.prod(shape, ax + 1, shape.length), y.data(), 0);
        return y;
    }

    static boolean[] reducedAxes(String name, int[] shape, int[] axes) {
        boolean[] reduced = new boolean[shape.length];
        if (axes == null || axes.length == 0) {
            Arrays.fill(reduced, true);
            return reduced;
        }
        for (int a : axes) {
            int ax = normalizeAxis(name, a, shape.length, shape);
            if (reduced[ax]) {
                throw new IllegalArgumentException(name + ": axes " + Arrays.toString(axes) + " name axis " + ax
                        + " twice for shape " + Shapes.str(shape));
            }
            reduced[ax] = true;
        }
        return reduced;
    }

    private static int[] dropReduced(int[] shape, boolean[] reduced) {
        int kept = 0;
        for (boolean r : reduced) if (!r) kept++;
        if (kept == 0) return new int[] {1};
        int[] out = new int[kept];
        for (int i = 0, j = 0; i < shape.length; i++) if (!reduced[i]) out[j++] = shape[i];
        return out;
    }

    static int normalizeAxis(String name, int axis, int ndim, int[] shape) {
        int a = axis < 0 ? axis + ndim : axis;
        if (a < 0 || a >= ndim) {
            throw new IllegalArgumentException(name + ": axis " + axis + " is out of range for shape " + Shapes.str(shape)
                    + " (use -" + ndim + " .. " + (ndim - 1) + ")");
        }
        return a;
    }

    // =====================================================================================
    // Shape changes. Views share storage; backward hands the gradient back in the input's layout.
    // =====================================================================================

    /** A differentiable reshape (MXNet codes: 0 keeps the extent, −1 is inferred); a view. */
    public static Tensor reshape(Tensor x, int... shape) {
        Tensor y = x.view(shape);
        return Autograd.recordOp("reshape", y, g -> accumulate(x, g.view(x.shape()), 1f), x);
    }

    /** (N, d1, d2, ...) → (N, d1·d2·...); a 1-D (N,) becomes (N, 1). */
    public static Tensor flatten(Tensor x) {
        if (x.ndim() == 0) throw new IllegalArgumentException("flatten: needs at least one axis, got a scalar");
        int[] s = x.shape();
        return reshape(x, s[0], Shapes.prod(s, 1, s.length));
    }

    /** Inserts an axis of extent 1 at {@code axis} (−ndim−1 .. ndim). */
    public static Tensor expandDims(Tensor x, int axis) {
        int n = x.ndim();
        int a = axis < 0 ? axis + n + 1 : axis;
        if (a < 0 || a > n) {
            throw new IllegalArgumentException("expandDims: axis " + axis + " is out of range for shape "
                    + x.shapeString() + " (use -" + (n + 1) + " .. " + n + ")");
        }
        int[] s = x.shape();
        int[] out = new int[n + 1];
        for (int i = 0, j = 0; i <= n; i++) out[i] = i == a ? 1 : s[j++];
        return reshape(x, out);
    }

    /** Permutes the axes ({@code y.shape[i] = x.shape[axes[i]]}); no axes = reversed. A copy. */
    public static Tensor transpose(Tensor x, int... axes) {
        int n = x.ndim();
        int[] perm = new int[n];
        if (axes == null || axes.length == 0) {
            for (int i = 0; i < n; i++) perm[i] = n - 1 - i;
        } else {
            if (axes.length != n) {
                throw new IllegalArgumentException("transpose: axes " + Arrays.toString(axes) + " must list each of the "
                        + n + " axes of shape " + x.shapeString() + " once");
            }
            boolean[] seen = new boolean[n];
            for (int i = 0; i < n; i++) {
                int a = normalizeAxis("transpose", axes[i], n, x.shape());
                if (seen[a]) {
                    throw new IllegalArgumentException("transpose: axes " + Arrays.toString(axes)
                            + " is not a permutation of the axes of shape " + x.shapeString());
                }
                seen[a] = true;
                perm[i] = a;
            }
        }
        Tensor y = permute(x, perm);
        int[] inverse = new int[n];
        for (int i = 0; i < n; i++) inverse[perm[i]] = i;
        return Autograd.recordOp("transpose", y, g -> accumulate(x, permute(g, inverse), 1f), x);
    }

    /** Joins tensors along {@code axis}; all other extents must match. Backward slices g back. */
    public static Tensor concat(int axis, Tensor... xs) {
        if (xs.length == 0) throw new IllegalArgumentException("concat: needs at least one tensor");
        int[] first = xs[0].shape();
        int ax = normalizeAxis("concat", axis, first.length, first);
        int total = 0;
        for (Tensor t : xs) {
            int[] s = t.shape();
            boolean ok = s.length == first.length;
            for (int i = 0; ok && i < s.length; i++) ok = i == ax || s[i] == first[i];
            if (!ok) {
                throw new IllegalArgumentException("concat: shapes " + Shapes.str(first) + " and " + Shapes.str(s)
                        + " differ outside the concatenation axis " + axis);
            }
            total += s[ax];
        }
        int[] outShape = first.clone();
        outShape[ax] = total;
        Tensor y = Tensor.zeros(outShape);
        int outer = Shapes.prod(first, 0, ax), inner = Shapes.prod(first, ax + 1, first.length);
        int rowOut = total * inner;
        int at = 0;
        for (Tensor t : xs) {
            int w = t.dim(ax) * inner;
            for (int o = 0; o < outer; o++) System.arraycopy(t.data(), t.offset() + o * w, y.data(), o * rowOut + at, w);
            at += w;
        }
        Tensor[] inputs = xs.clone();
        return Autograd.recordOp("concat", y, g -> {
            int start = 0;
            for (Tensor t : inputs) {
                int w = t.dim(ax) * inner;
                if (t.requiresGrad()) {
                    Tensor gb = t.gradBuffer();
                    for (int o = 0; o < outer; o++) {
                        ElementwiseKernels.addInto(gb.data(), gb.offset() + o * w, g.data(), g.offset() + o * rowOut + start, w);
                    }
                }
                start += w;
            }
        }, inputs);
    }

    // =====================================================================================
    // dot and dense: through Sgemm.
    // =====================================================================================

    /**
     * MXNet's {@code dot}: a is viewed as a matrix (all axes but the last) × (last axis), or with
     * {@code transA} (first axis) × (the rest) and transposed; b as (first axis) × (the rest), or
     * with {@code transB} (all but the last) × (last) and transposed. The contracted extents must
     * match. Output axes: a's remaining axes, then b's (a 1-D operand contributes none; (1,) if
     * nothing remains). Backward: dA = g·op(B)ᵀ, dB = op(A)ᵀ·g in the stored layouts.
     */
    public static Tensor dot(Tensor a, Tensor b, boolean transA, boolean transB) {
        int[] as = a.shape(), bs = b.shape();
        if (as.length == 0 || bs.length == 0) {
            throw new IllegalArgumentException("dot: operands need at least one axis, got " + Shapes.str(as) + " and " + Shapes.str(bs));
        }
        // stored matrices A (ar, ac) and B (br, bc), as MXNet splits the axes; a 1-D operand is a row or column
        int na = as.length, nb = bs.length;
        int ar = na == 1 ? (transA ? as[0] : 1) : (transA ? as[0] : Shapes.prod(as, 0, na - 1));
        int ac = na == 1 ? (transA ? 1 : as[0]) : (transA ? Shapes.prod(as, 1, na) : as[na - 1]);
        int br = nb == 1 ? (transB ? 1 : bs[0]) : (transB ? Shapes.prod(bs, 0, nb - 1) : bs[0]);
        int bc = nb == 1 ? (transB ? bs[0] : 1) : (transB ? bs[nb - 1] : Shapes.prod(bs, 1, nb));
        int m = transA ? ac : ar, k = transA ? ar : ac;
        int kb = transB ? bc : br, n = transB ? br : bc;
        if (k != kb) {
            throw new IllegalArgumentException("dot: shapes " + Shapes.str(as) + " and " + Shapes.str(bs)
                    + " do not match: contracting " + k + " with " + kb
                    + (transA || transB ? " (transpose_a=" + transA + ", transpose_b=" + transB + ")" : "")
                    + "; the " + (transA ? "first" : "last") + " axis of a must equal the "
                    + (transB ? "last" : "first") + " axis of b");
        }
        int[] outShape = dotShape(as, bs, transA, transB);
        Tensor c = Tensor.zeros(outShape);
        final int lda = ac, ldb = bc;
        Sgemm.sgemm(transA, transB, m, n, k, 1f, a.data(), a.offset(), lda, b.data(), b.offset(), ldb,
                0f, c.data(), 0, n);
        return Autograd.recordOp("dot", c, g -> {
            float[] gd = g.data();
            int go = g.offset();
            if (a.requiresGrad()) {
                Tensor ga = a.gradBuffer();
                if (!transA) { // dA (m, k) += g (m, n) · op(B)ᵀ
                    Sgemm.sgemm(false, !transB, m, k, n, 1f, gd, go, n, b.data(), b.offset(), ldb, 1f, ga.data(), ga.offset(), k);
                } else {       // dA (k, m) += op(B) (k, n) · gᵀ
                    Sgemm.sgemm(transB, true, k, m, n, 1f, b.data(), b.offset(), ldb, gd, go, n, 1f, ga.data(), ga.offset(), m);
                }
            }
            if (b.requiresGrad()) {
                Tensor gbuf = b.gradBuffer();
                if (!transB) { // dB (k, n) += op(A)ᵀ (k, m) · g
                    Sgemm.sgemm(!transA, false, k, n, m, 1f, a.data(), a.offset(), lda, gd, go, n, 1f, gbuf.data(), gbuf.offset(), n);
                } else {       // dB (n, k) += gᵀ (n, m) · op(A)
                    Sgemm.sgemm(true, transA, n, k, m, 1f, gd, go, n, a.data(), a.offset(), lda, 1f, gbuf.data(), gbuf.offset(), k);
                }
            }
        }, a, b);
    }

    private static int[] dotShape(int[] as, int[] bs, boolean transA, boolean transB) {
        int[] out = new int[Math.max(0, as.length - 1) + Math.max(0, bs.length - 1)];
        int j = 0;
        if (as.length > 1) {
            if (transA) for (int i = 1; i < as.length; i++) out[j++] = as[i];
            else for (int i = 0; i < as.length - 1; i++) out[j++] = as[i];
        }
        if (bs.length > 1) {
            if (transB) for (int i = 0; i < bs.length - 1; i++) out[j++] = bs[i];
            else for (int i = 1; i < bs.length; i++) out[j++] = bs[i];
        }
        return out.length == 0 ? new int[] {1} : out;
    }

    /**
     * Fully connected: y (N, units) = x (N, in) · wᵀ + bias, w (units, in), bias (units,) or null.
     * An x with more axes is flattened to (N, rest) first (MXNet's FullyConnected, flatten=True).
     * Backward: dx = g·W (N, in), dW = gᵀ·x (units, in), db = Σ_N g (summed in double), each
     * written, not added, when it is the input's first gradient of the backward.
     */
    public static Tensor dense(Tensor x, Tensor w, Tensor bias) {
        return dense(x, w, bias, false);
    }

    /**
     * {@link #dense(Tensor, Tensor, Tensor)}, then ReLU when {@code relu} (Gluon's
     * {@code Dense(activation='relu')}), fused: y = max(x·wᵀ + bias, 0) is written once, and
     * backward masks g by y > 0 before the products (the same values as dense followed by
     * {@code ActivationOps.relu}, without the intermediate tensor and its gradient).
     */
    public static Tensor dense(Tensor x, Tensor w, Tensor bias, boolean relu) {
        String op = relu ? "dense+relu" : "dense";
        if (x.ndim() < 2) {
            throw new IllegalArgumentException(op + ": input must be (N, in_units), got shape " + x.shapeString());
        }
        Shapes.requireNdim(op, "weight", w, 2);
        int rows = x.dim(0), in = rows == 0 ? Shapes.prod(x.shape(), 1, x.ndim()) : x.size() / rows;
        int units = w.dim(0);
        if (w.dim(1) != in) {
            throw new IllegalArgumentException(op + ": input " + x.shapeString() + " has " + in
                    + " features per sample but the weight " + w.shapeString() + " expects " + w.dim(1)
                    + " (weight is (units, in_units))");
        }
        if (bias != null && (bias.ndim() != 1 || bias.dim(0) != units)) {
            throw new IllegalArgumentException(op + ": bias " + bias.shapeString() + " must be (" + units
                    + ",) for weight " + w.shapeString());
        }
        Tensor y = Tensor.pooled(rows, units); // the kernel writes every element
        DenseKernels.forward(rows, in, units, x.data(), x.offset(), w.data(), w.offset(),
                bias == null ? null : bias.data(), bias == null ? 0 : bias.offset(), relu, y.data(), 0);
        return Autograd.recordOp(op, y, g -> {
            float[] gd = g.data();
            int go = g.offset();
            float[] masked = null;
            boolean pooledMask = relu && BufferPool.pools(rows * units);
            if (relu) { // the gradient at the pre-activation: g where y > 0
                masked = pooledMask ? BufferPool.takeFloats(rows * units) : new float[rows * units];
                DenseKernels.reluGradient(y.data(), 0, gd, go, masked, 0, rows * units);
                gd = masked;
                go = 0;
            }
            // Each gradient is written (beta 0: its buffer is neither zeroed nor read) when it is the
            // input's first in this backward, else added (see Tensor.gradTarget).
            if (x.requiresGrad()) {
                GradTarget dx = x.gradTarget();
                DenseKernels.backwardData(rows, in, units, gd, go, w.data(), w.offset(), dx.beta(), dx.data(), dx.offset());
            }
            if (w.requiresGrad()) {
                GradTarget dw = w.gradTarget();
                DenseKernels.backwardWeights(rows, in, units, gd, go, x.data(), x.offset(), dw.beta(), dw.data(), dw.offset());
            }
            if (bias != null && bias.requiresGrad()) {
                GradTarget db = bias.gradTarget();
                int[] shape = {rows, units};
                boolean[] overRows = {true, false};
                if (!db.accumulate()) {
                    ReduceKernels.reduce(Reduce.SUM, gd, go, shape, overRows, db.data(), db.offset(), 1.0);
                } else {
                    float[] colSums = new float[units];
                    ReduceKernels.reduce(Reduce.SUM, gd, go, shape, overRows, colSums, 0, 1.0);
                    ElementwiseKernels.addInto(db.data(), db.offset(), colSums, 0, units);
                }
            }
            if (pooledMask) BufferPool.give(masked);
        }, x, w, bias);
    }

    // =====================================================================================
    // Creation.
    // =====================================================================================

    public static Tensor zeros(int... shape) {
        return Tensor.zeros(shape);
    }

    public static Tensor ones(int... shape) {
        return Tensor.full(1f, shape);
    }

    public static Tensor full(float value, int... shape) {
        return Tensor.full(value, shape);
    }

    /** start, start+step, ... below stop (above it for a negative step); ⌈(stop−start)/step⌉ values. */
    public static Tensor arange(float start, float stop, float step) {
        if (step == 0 || Float.isNaN(step)) throw new IllegalArgumentException("arange: step must be non-zero, got " + step);
        double count = Math.ceil(((double) stop - start) / step);
        if (count > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("arange: too many values (" + count + ")");
        int n = (int) Math.max(0, count);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (start + (double) i * step);
        return Tensor.wrap(v, n);
    }

    /** A tensor holding a copy of {@code values}; no shape = 1-D. */
    public static Tensor array(float[] values, int... shape) {
        int[] s = shape.length == 0 ? new int[] {values.length} : shape;
        int n = Shapes.checkedSize("array", s);
        if (n != values.length) {
            throw new IllegalArgumentException("array: " + values.length + " values do not fill shape " + Shapes.str(s)
                    + " (" + n + " elements)");
        }
        return Tensor.wrap(values.clone(), s);
    }

    /**
     * Uniform in [lo, hi), from the global stream ({@code mx.random.seed}): one seed is drawn and
     * element i takes the counter-based value i, so the result does not depend on the thread count.
     */
    public static Tensor randomUniform(float lo, float hi, int... shape) {
        Tensor t = Tensor.zeros(shape);
        long seed = Rng.global().nextSeed();
        float[] d = t.data();
        float span = hi - lo;
        Parallel.forRange(d.length, GRAIN, (a, b) -> {
            for (int i = a; i < b; i++) d[i] = lo + span * Rng.uniform(seed, i);
        });
        return t;
    }

    /** Normal(mean, std) from the global stream; Box–Muller on the counter-based draws 2i and 2i+1. */
    public static Tensor randomNormal(float mean, float std, int... shape) {
        Tensor t = Tensor.zeros(shape);
        long seed = Rng.global().nextSeed();
        float[] d = t.data();
        Parallel.forRange(d.length, GRAIN, (a, b) -> {
            for (int i = a; i < b; i++) {
                double u1 = (Rng.bits(seed, 2L * i) >>> 11) * 0x1.0p-53;
                double u2 = (Rng.bits(seed, 2L * i + 1) >>> 11) * 0x1.0p-53;
                d[i] = mean + std * (float) (Math.sqrt(-2.0 * Math.log(1.0 - u1)) * Math.cos(2.0 * Math.PI * u2));
            }
        });
        return t;
    }
}
