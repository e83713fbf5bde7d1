package org.jgluon.gluon.init;

import org.jgluon.engine.Parallel;
import org.jgluon.engine.Rng;
import org.jgluon.engine.Tensor;

/**
 * MXNet's {@code mx.init.Initializer}. Used as a block's default ({@code net.initialize(init)}), it
 * dispatches on the parameter's name as MXNet does: {@code *bias}, {@code *beta},
 * {@code *running_mean} → zeros; {@code *gamma}, {@code *running_var} → ones; anything else
 * (weights) → {@link #initWeight}. A parameter's own initializer (e.g. {@code weight_initializer})
 * is applied with {@link #initWeight} directly and wins over the default.
 *
 * <p>Random initializers draw from {@code Rng.global()}, so {@code Rng.seedGlobal(s)}
 * ({@code mx.random.seed}) makes initialisation reproducible.
 */
public abstract class Initializer {

    /** Fills {@code data}, the value of parameter {@code name}, as a default initializer. */
    public void initParameter(String name, Tensor data) {
        if (name.endsWith("bias") || name.endsWith("beta") || name.endsWith("running_mean")
                || name.endsWith("moving_mean")) {
            data.fill(0f);
        } else if (name.endsWith("gamma") || name.endsWith("running_var") || name.endsWith("moving_var")) {
            data.fill(1f);
        } else {
            initWeight(name, data);
        }
    }

    /** Fills {@code data} with this initializer's values whatever the parameter's name. */
    public abstract void initWeight(String name, Tensor data);

    /**
     * An initializer from Gluon's spellings: an {@code Initializer} itself, or a name
     * ({@code 'zeros'}, {@code 'ones'}, {@code 'xavier'}, {@code 'uniform'}, {@code 'normal'},
     * {@code 'msraprelu'}) with its default arguments. {@code null} stays null (no own initializer).
     */
    public static Initializer create(Object spec) {
        if (spec == null || spec instanceof Initializer) return (Initializer) spec;
        if (spec instanceof String s) {
            return switch (s.toLowerCase()) {
                case "zeros", "zero" -> new Zero();
                case "ones", "one" -> new One();
                case "xavier" -> new Xavier();
                case "uniform" -> new Uniform();
                case "normal" -> new Normal();
                case "msraprelu" -> new MSRAPrelu();
                default -> throw new IllegalArgumentException("unknown initializer '" + s
                        + "'; use one of 'zeros', 'ones', 'xavier', 'uniform', 'normal', 'msraprelu' or an init.* object");
            };
        }
        if (spec instanceof Number n) return new Constant(n.floatValue());
        throw new IllegalArgumentException("an initializer must be an init.* object or its name, got " + spec
                + " (" + spec.getClass().getSimpleName() + ")");
    }

    /**
     * Fills {@code t} with U(lo, hi). One seed is drawn from {@code Rng.global()} per parameter and
     * element i takes the counter-based value at i, so a large weight fills on all threads and
     * the values do not depend on the thread count.
     */
    protected static void fillUniform(Tensor t, float lo, float hi) {
        long seed = Rng.global().nextSeed();
        float[] a = t.data();
        int off = t.offset();
        float span = hi - lo;
        Parallel.forRange(t.size(), 1 << 15, (s, e) -> {
            for (int i = s; i < e; i++) a[off + i] = lo + span * Rng.uniform(seed, i);
        });
    }

    /** Fills {@code t} with N(0, std²) (Box–Muller on the counter-based stream; see {@link #fillUniform}). */
    protected static void fillGaussian(Tensor t, float std) {
        long seed = Rng.global().nextSeed();
        float[] a = t.data();
        int off = t.offset();
        Parallel.forRange(t.size(), 1 << 15, (s, e) -> {
            for (int i = s; i < e; i++) {
                double u1 = (Rng.bits(seed, 2L * i) >>> 11) * 0x1.0p-53;
                double u2 = (Rng.bits(seed, 2L * i + 1) >>> 11) * 0x1.0p-53;
                a[off + i] = (float) (std * Math.sqrt(-2.0 * Math.log(1.0 - u1)) * Math.cos(2.0 * Math.PI * u2));
            }
        });
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "()";
    }
}
