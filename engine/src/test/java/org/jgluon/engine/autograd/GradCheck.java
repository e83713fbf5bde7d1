package org.jgluon.engine.autograd;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import java.util.function.Function;

import org.jgluon.engine.Tensor;

/**
 * Checks recorded gradients against central finite differences. The objective is
 * J = Σ w·f(inputs) with fixed random weights w (so that no gradient is accidentally symmetric);
 * J and the differences are accumulated in double, each input element is nudged by ±h.
 */
public final class GradCheck {

    private GradCheck() {}

    /** A tensor of uniform values in [lo, hi) from a fixed seed. */
    public static Tensor uniform(long seed, float lo, float hi, int... shape) {
        Random r = new Random(seed);
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.set(i, lo + (hi - lo) * r.nextFloat());
        return t;
    }

    /** Values that stay at least {@code gap} apart (a shuffled ramp): safe for max, abs and comparisons. */
    public static Tensor distinct(long seed, float start, float gap, int... shape) {
        Tensor t = Tensor.zeros(shape);
        int n = t.size();
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        Random r = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int x = perm[i];
            perm[i] = perm[j];
            perm[j] = x;
        }
        for (int i = 0; i < n; i++) t.set(i, start + gap * perm[i]);
        return t;
    }

    public static void check(String label, Function<Tensor[], Tensor> f, Tensor... inputs) {
        check(label, 1e-2, 1e-2, f, inputs);
    }

    public static void check(String label, double h, double tol, Function<Tensor[], Tensor> f, Tensor... inputs) {
        for (Tensor x : inputs) x.attachGrad();
        Tensor y = Autograd.record(() -> f.apply(inputs));
        Tensor w = uniform(12345, -1f, 1f, y.shape());
        y.backward(w);
        for (int k = 0; k < inputs.length; k++) {
            Tensor x = inputs[k];
            Tensor analytic = x.grad().copy();
            for (int i = 0; i < x.size(); i++) {
                float v = x.get(i);
                float up = (float) (v + h), down = (float) (v - h);
                x.set(i, up);
                double plus = objective(f.apply(inputs), w);
                x.set(i, down);
                double minus = objective(f.apply(inputs), w);
                x.set(i, v);
                double numeric = (plus - minus) / ((double) up - down);
                double got = analytic.get(i);
                if (Math.abs(got - numeric) > tol * Math.max(1.0, Math.abs(numeric))) {
                    fail(label + ": input " + k + " " + x.shapeString() + " element " + i + ": backward gives " + got
                            + ", finite differences " + numeric);
                }
            }
        }
    }

    private static double objective(Tensor y, Tensor w) {
        double s = 0;
        for (int i = 0; i < y.size(); i++) s += (double) y.get(i) * w.get(i);
        return s;
    }
}
