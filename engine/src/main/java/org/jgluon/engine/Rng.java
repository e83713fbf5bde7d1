package org.jgluon.engine;

/**
 * Counter-based random numbers: the value at position {@code i} of stream {@code seed} is a pure
 * function of the two, so a kernel may draw in any order on any number of threads and still get
 * the same numbers (dropout masks, initializers). An instance is a stream with a cursor for
 * sequential use (shuffling, initialising a parameter).
 */
public final class Rng {

    private static volatile Rng global = new Rng(0);

    private final long seed;
    private long counter;

    /** The process-wide stream behind {@code mx.random.seed}: initializers, dropout seeds, shuffling. */
    public static Rng global() {
        return global;
    }

    /** Restarts the process-wide stream ({@code mx.random.seed(s)}). */
    public static void seedGlobal(long seed) {
        global = new Rng(seed);
    }

    /** A fresh 64-bit seed for a sub-stream (a dropout mask, a data loader's shuffles). */
    public long nextSeed() {
        return bits(seed, counter++);
    }

    public Rng(long seed) {
        this.seed = seed;
    }

    public long seed() {
        return seed;
    }

    /** The position of the next draw (saved in checkpoints to resume a stream exactly). */
    public long counter() {
        return counter;
    }

    public void setCounter(long c) {
        this.counter = c;
    }

    /** SplitMix64's finaliser over (seed, index): a well-mixed 64-bit value. */
    public static long bits(long seed, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + (index + 1) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) with 24 random bits: exact in float. */
    public static float uniform(long seed, long index) {
        return (bits(seed, index) >>> 40) * 0x1.0p-24f;
    }

    public float nextUniform() {
        return uniform(seed, counter++);
    }

    /** Uniform in [lo, hi). */
    public float nextUniform(float lo, float hi) {
        return lo + (hi - lo) * nextUniform();
    }

    /** Standard normal (Box–Muller on two draws). */
    public float nextGaussian() {
        double u1 = (bits(seed, counter++) >>> 11) * 0x1.0p-53;
        double u2 = (bits(seed, counter++) >>> 11) * 0x1.0p-53;
        return (float) (Math.sqrt(-2.0 * Math.log(1.0 - u1)) * Math.cos(2.0 * Math.PI * u2));
    }

    /** Uniform integer in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("Rng.nextInt: bound must be positive, got " + bound);
        return (int) Long.remainderUnsigned(bits(seed, counter++), bound);
    }

    /** Shuffles {@code a} in place (Fisher–Yates). */
    public void shuffle(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
