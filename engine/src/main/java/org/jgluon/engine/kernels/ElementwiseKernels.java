package org.jgluon.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise kernels on raw arrays: {@code c[i] = a[i] op b[i]}, the scalar forms
 * {@code a[i] op s} and {@code s op b[i]}, unary maps, and gradient accumulation
 * {@code d[i] += x[i]}. Each call covers {@code n} elements from the given offsets; callers split
 * large work with {@code Parallel.forRange}. Add, subtract, multiply and divide (the hot ones)
 * run on {@code FloatVector}; the others are plain loops the JIT may vectorise itself.
 *
 * <p>The vector loops use the same IEEE operations as {@link ElementwiseReference}, so results
 * are bit-identical to it (the tests check this), except exp and log, which come from the
 * vector math library and may differ from {@code Math.exp}/{@code Math.log} by one ulp.
 */
public final class ElementwiseKernels {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private ElementwiseKernels() {}

    /** Binary operators; the comparisons give 1 or 0. */
    public enum Binary {
        ADD, SUB, MUL, DIV, POW, MAX, MIN, EQ, NE, LT, GT, LE, GE;

        public float apply(float a, float b) {
            return switch (this) {
                case ADD -> a + b;
                case SUB -> a - b;
                case MUL -> a * b;
                case DIV -> a / b;
                case POW -> (float) Math.pow(a, b);
                case MAX -> Math.max(a, b);
                case MIN -> Math.min(a, b);
                case EQ -> a == b ? 1f : 0f;
                case NE -> a != b ? 1f : 0f;
                case LT -> a < b ? 1f : 0f;
                case GT -> a > b ? 1f : 0f;
                case LE -> a <= b ? 1f : 0f;
                case GE -> a >= b ? 1f : 0f;
            };
        }
    }

    /** Unary operators. */
    public enum Unary {
        NEG, EXP, LOG, SQRT, ABS, SQUARE;

        public float apply(float x) {
            return switch (this) {
                case NEG -> -x;
                case EXP -> (float) Math.exp(x);
                case LOG -> (float) Math.log(x);
                case SQRT -> (float) Math.sqrt(x);
                case ABS -> Math.abs(x);
                case SQUARE -> x * x;
            };
        }
    }

    // ---- c = a op b ----------------------------------------------------------------------

    public static void binary(Binary op, float[] a, int ao, float[] b, int bo, float[] c, int co, int n) {
        switch (op) {
            case ADD -> add(a, ao, b, bo, c, co, n);
            case SUB -> sub(a, ao, b, bo, c, co, n);
            case MUL -> mul(a, ao, b, bo, c, co, n);
            case DIV -> div(a, ao, b, bo, c, co, n);
            default -> {
                for (int i = 0; i < n; i++) c[co + i] = op.apply(a[ao + i], b[bo + i]);
            }
        }
    }

    static void add(float[] a, int ao, float[] b, int bo, float[] c, int co, int n) {
        int i = 0;
        for (int u = S.loopBound(n); i < u; i += L) {
            FloatVector.fromArray(S, a, ao + i).add(FloatVector.fromArray(S, b, bo + i)).intoArray(c, co + i);
        }
        for (; i < n; i++) c[co + i] = a[ao + i] + b[bo + i];
    }

    static void sub(float[] a, int ao, float[] b, int bo, float[] c, int co, int n) {
        int i = 0;
        for (int u = S.loopBound(n); i < u; i += L) {
            FloatVector.fromArray(S, a, ao + i).sub(FloatVector.fromArray(S, b, bo + i)).intoArray(c, co + i);
        }
        for (; i < n; i++) c[co + i] = a[ao + i] - b[bo + i];
    }

    static void mul(float[] a, int ao, float[] b, int bo, float[] c, int co, int n) {
        int i = 0;
        for (int u = S.loopBound(n); i < u; i += L) {
            FloatVector.fromArray(S, a, ao + i).mul(FloatVector.fromArray(S, b, bo + i)).intoArray(c, co + i);
        }
        for (; i < n; i++) c[co + i] = a[ao + i] * b[bo + i];
    }

    static void div(float[] a, int ao, float[] b, int bo, float[] c, int co, int n) {
        int i = 0;
        for (int u = S.loopBound(n); i < u; i += L) {
            FloatVector.fromArray(S, a, ao + i).div(FloatVector.fromArray(S, b, bo + i)).intoArray(c, co + i);
        }
        for (; i < n; i++) c[co + i] = a[ao + i] / b[bo + i];
    }

    // ---- c = a op s ----------------------------------------------------------------------

    public static void binaryScalarRight(Binary op, float[] a, int ao, float s, float[] c, int co, int n) {
        int i = 0;
        FloatVector vs = FloatVector.broadcast(S, s);
        int u = S.loopBound(n);
        switch (op) {
            case ADD -> { for (; i < u; i += L) FloatVector.fromArray(S, a, ao + i).add(vs).intoArray(c, co + i); }
            case SUB -> { for (; i < u; i += L) FloatVector.fromArray(S, a, ao + i).sub(vs).intoArray(c, co + i); }
            case MUL -> { for (; i < u; i += L) FloatVector.fromArray(S, a, ao + i).mul(vs).intoArray(c, co + i); }
            case DIV -> { for (; i < u; i += L) FloatVector.fromArray(S, a, ao + i).div(vs).intoArray(c, co + i); }
            default -> { /* scalar loop below does all */ }
        }
        for (; i < n; i++) c[co + i] = op.apply(a[ao + i], s);
    }

    // ---- c = s op b ----------------------------------------------------------------------

    public static void binaryScalarLeft(Binary op, float s, float[] b, int bo, float[] c, int co, int n) {
        int i = 0;
        FloatVector vs = FloatVector.broadcast(S, s);
        int u = S.loopBound(n);
        switch (op) {
            case ADD -> { for (; i < u; i += L) vs.add(FloatVector.fromArray(S, b, bo + i)).intoArray(c, co + i); }
            case SUB -> { for (; i < u; i += L) vs.sub(FloatVector.fromArray(S, b, bo + i)).intoArray(c, co + i); }
            case MUL -> { for (; i < u; i += L) vs.mul(FloatVector.fromArray(S, b, bo + i)).intoArray(c, co + i); }
            case DIV -> { for (; i < u; i += L) vs.div(FloatVector.fromArray(S, b, bo + i)).intoArray(c, co + i); }
            default -> { /* scalar loop below does all */ }
        }
        for (; i < n; i++) c[co + i] = op.apply(s, b[bo + i]);
    }

    // ---- y = f(x) ------------------------------------------------------------------------

    public static void unary(Unary op, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        int u = S.loopBound(n);
        switch (op) {
            case NEG -> { for (; i < u; i += L) FloatVector.fromArray(S, x, xo + i).neg().intoArray(y, yo + i); }
            case ABS -> { for (; i < u; i += L) FloatVector.fromArray(S, x, xo + i).abs().intoArray(y, yo + i); }
            case SQRT -> { for (; i < u; i += L) FloatVector.fromArray(S, x, xo + i).sqrt().intoArray(y, yo + i); }
            case SQUARE -> {
                for (; i < u; i += L) {
                    FloatVector v = FloatVector.fromArray(S, x, xo + i);
                    v.mul(v).intoArray(y, yo + i);
                }
            }
            // the vector library's exp and log are within 1 ulp of Math's and several times faster
            case EXP -> { for (; i < u; i += L) FloatVector.fromArray(S, x, xo + i).lanewise(VectorOperators.EXP).intoArray(y, yo + i); }
            case LOG -> { for (; i < u; i += L) FloatVector.fromArray(S, x, xo + i).lanewise(VectorOperators.LOG).intoArray(y, yo + i); }
        }
        for (; i < n; i++) y[yo + i] = op.apply(x[xo + i]);
    }

    // ---- gradient accumulation -------------------------------------------------------------

    /** {@code d[i] += x[i]}. */
    public static void addInto(float[] d, int dOff, float[] x, int xo, int n) {
        add(d, dOff, x, xo, d, dOff, n);
    }

    /** {@code d[i] += x[i] * s}. */
    public static void addScaledInto(float[] d, int dOff, float[] x, int xo, float s, int n) {
        int i = 0;
        FloatVector vs = FloatVector.broadcast(S, s);
        for (int u = S.loopBound(n); i < u; i += L) {
            FloatVector.fromArray(S, x, xo + i).mul(vs).add(FloatVector.fromArray(S, d, dOff + i)).intoArray(d, dOff + i);
        }
        for (; i < n; i++) d[dOff + i] += x[xo + i] * s;
    }

    /** {@code d[i] += x[i] * y[i]}. */
    public static void addProductInto(float[] d, int dOff, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int u = S.loopBound(n); i < u; i += L) {
            FloatVector.fromArray(S, x, xo + i).mul(FloatVector.fromArray(S, y, yo + i))
                    .add(FloatVector.fromArray(S, d, dOff + i)).intoArray(d, dOff + i);
        }
        for (; i < n; i++) d[dOff + i] += x[xo + i] * y[yo + i];
    }
}
