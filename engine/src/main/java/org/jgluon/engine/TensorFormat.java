package org.jgluon.engine;

import java.util.Locale;

/** Prints a tensor the way MXNet does: the values (abridged when large) and the shape. */
final class TensorFormat {

    private static final int EDGE = 3;

    private TensorFormat() {}

    static String format(Tensor t) {
        StringBuilder b = new StringBuilder();
        int[] shape = t.shape();
        if (shape.length == 0) {
            b.append(num(t.get(0)));
        } else {
            appendAxis(b, t, shape, 0, 0, 0);
        }
        return b.append("\n<NDArray ").append(joinShape(shape)).append(">").toString();
    }

    private static String joinShape(int[] shape) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) s.append('x');
            s.append(shape[i]);
        }
        return s.toString();
    }

    private static void appendAxis(StringBuilder b, Tensor t, int[] shape, int axis, int base, int indent) {
        int n = shape[axis];
        int stride = Shapes.prod(shape, axis + 1, shape.length);
        b.append('[');
        for (int i = 0; i < n; i++) {
            if (n > 2 * EDGE && i == EDGE) {
                b.append(axis == shape.length - 1 ? "..., " : "...\n" + " ".repeat(indent + 1));
                i = n - EDGE;
            }
            if (axis == shape.length - 1) {
                b.append(num(t.get(base + i)));
                if (i < n - 1) b.append(", ");
            } else {
                appendAxis(b, t, shape, axis + 1, base + i * stride, indent + 1);
                if (i < n - 1) b.append("\n").append(" ".repeat(indent + 1));
            }
        }
        b.append(']');
    }

    /** Always with a decimal point: Locale.ROOT, since a German or French default locale would print commas. */
    private static String num(float v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e7) return String.format(Locale.ROOT, "%.0f.", v);
        return String.format(Locale.ROOT, "%.6g", v).replaceAll("(\\.\\d*?)0+(e|$)", "$1$2");
    }
}
