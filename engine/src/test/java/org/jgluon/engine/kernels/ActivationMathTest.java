package org.jgluon.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class ActivationMathTest {

    private interface ScalarFn {
        float apply(float x);
    }

    /** Every lane of the vector function equals the scalar one bit for bit; both within maxUlp of the truth. */
    private static void check(String name, UnaryOperator<FloatVector> vec, ScalarFn scalar, DoubleUnaryOperator truth,
                              float[] xs, double maxUlp, double atol) {
        int l = ActivationMath.S.length();
        float[] in = new float[l], out = new float[l];
        for (int base = 0; base < xs.length; base += l) {
            for (int k = 0; k < l; k++) in[k] = xs[Math.min(xs.length - 1, base + k)];
            vec.apply(FloatVector.fromArray(ActivationMath.S, in, 0)).intoArray(out, 0);
            for (int k = 0; k < l; k++) {
                float s = scalar.apply(in[k]);
                if (Float.floatToIntBits(s) != Float.floatToIntBits(out[k])) {
                    fail(name + "(" + in[k] + "): vector " + out[k] + " != scalar " + s);
                }
                double t = truth.applyAsDouble(in[k]);
                double err = Math.abs(s - t);
                if (Double.isInfinite(t) ? s != t : err > atol + maxUlp * Math.ulp((float) t)) {
                    fail(name + "(" + in[k] + ") = " + s + ", true " + t + " (" + err / Math.ulp((float) t) + " ulp)");
                }
            }
        }
    }

    private static float[] sweep(float lo, float hi, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = lo + (hi - lo) * i / (n - 1);
        return a;
    }

    @Test
    void expAcrossItsRange() {
        check("exp", ActivationMath::exp, ActivationMath::exp, Math::exp, sweep(-86.8f, 88.7f, 20011), 2, 0);
        float[] edges = {Float.NEGATIVE_INFINITY, -1000, -87, 88.72f, 89, 1000, Float.POSITIVE_INFINITY, 0, -0f, 1e-30f};
        check("exp edges", ActivationMath::exp, ActivationMath::exp, Math::exp, edges, 2, 2e-38);
        assertEquals(Float.NaN, ActivationMath.exp(Float.NaN));
    }

    @Test
    void expm1TanhLog1pSigmoid() {
        check("expm1", ActivationMath::expm1, ActivationMath::expm1, Math::expm1, sweep(-20, 20, 8009), 3, 0);
        check("expm1 small", ActivationMath::expm1, ActivationMath::expm1, Math::expm1, sweep(-0.01f, 0.01f, 4001), 2, 0);
        check("tanh", ActivationMath::tanh, ActivationMath::tanh, Math::tanh, sweep(-12, 12, 8009), 3, 0);
        check("tanh small", ActivationMath::tanh, ActivationMath::tanh, Math::tanh, sweep(-0.7f, 0.7f, 4001), 2, 0);
        check("log1p", ActivationMath::log1p, ActivationMath::log1p, Math::log1p, sweep(0, 1, 8009), 3, 0);
        check("log1p tiny", ActivationMath::log1p, ActivationMath::log1p, Math::log1p, sweep(0, 1e-6f, 1001), 2, 0);
        check("sigmoid", ActivationMath::sigmoid, ActivationMath::sigmoid, x -> 1 / (1 + Math.exp(-x)),
                sweep(-100, 100, 8009), 3, 1e-38);
    }
}
