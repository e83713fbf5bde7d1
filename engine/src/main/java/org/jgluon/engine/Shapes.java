package org.jgluon.engine;

import java.util.Arrays;

/** Shape arithmetic and the messages that name shapes in errors. */
public final class Shapes {

    private Shapes() {}

    /** {@code (2, 3, 4)} — the notation every error message uses. */
    public static String str(int... shape) {
        if (shape.length == 1) return "(" + shape[0] + ",)";
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) b.append(", ");
            b.append(shape[i]);
        }
        return b.append(')').toString();
    }

    /** The element count; rejects negative extents and counts that overflow an int. */
    public static int checkedSize(String op, int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException(op + ": negative extent in shape " + str(shape));
            n *= d;
            if (n > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException(op + ": shape " + str(shape) + " has more than 2^31 elements");
            }
        }
        return (int) n;
    }

    /** Product of {@code shape[from..to)}. */
    public static int prod(int[] shape, int from, int to) {
        int n = 1;
        for (int i = from; i < to; i++) n *= shape[i];
        return n;
    }

    /** Resolves MXNet reshape codes: 0 keeps the input extent at that axis, -1 is inferred. */
    public static int[] resolveReshape(int[] in, int[] spec) {
        int[] out = spec.clone();
        int size = checkedSize("reshape", in);
        int infer = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == 0) {
                if (i >= in.length) {
                    throw new IllegalArgumentException("reshape: code 0 at axis " + i + " but the input "
                            + str(in) + " has only " + in.length + " axes");
                }
                out[i] = in[i];
            }
            if (out[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("reshape: more than one -1 in " + str(spec));
                infer = i;
            } else if (out[i] < 0) {
                throw new IllegalArgumentException("reshape: invalid extent " + out[i] + " in " + str(spec));
            } else {
                known *= out[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || size % known != 0) {
                throw new IllegalArgumentException("reshape: cannot reshape " + str(in) + " (" + size
                        + " elements) into " + str(spec));
            }
            out[infer] = (int) (size / known);
        } else if (known != size) {
            throw new IllegalArgumentException("reshape: cannot reshape " + str(in) + " (" + size
                    + " elements) into " + str(spec) + " (" + known + " elements)");
        }
        return out;
    }

    public static boolean same(int[] a, int[] b) {
        return Arrays.equals(a, b);
    }

    /** Throws unless {@code t} has exactly {@code ndim} axes, naming the op and what was expected. */
    public static void requireNdim(String op, String what, Tensor t, int ndim) {
        if (t.ndim() != ndim) {
            throw new IllegalArgumentException(op + ": " + what + " must have " + ndim + " axes, got shape "
                    + t.shapeString());
        }
    }
}
