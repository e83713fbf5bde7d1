package org.jgluon.engine.memory;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

import org.jgluon.engine.Parallel;

/**
 * Process-wide pool of large {@code float[]} and {@code int[]} buffers, matched by exact length.
 *
 * <p>Why: in this VM the first touch of fresh memory costs about 3 ms per MB, so allocating a
 * 143 MB activation every step costs ~0.4 s, while reusing the same (warm) array costs nothing.
 * Ops take their large outputs, autograd its intermediate gradients and saved indices from here;
 * {@link Recycling} and {@code Autograd.backward} give them back once no one can reach them.
 *
 * <p>Contents of a taken buffer are undefined (a previous tensor's values) unless taken zeroed.
 * Arrays shorter than {@link #MIN_POOLED} elements ({@code -Djgluon.pool.minLength}) are never
 * pooled: a tiny array costs less to allocate than a trip through the pool's lock. From 64 up
 * they are (session 5: BatchNorm's per-channel statistics, the logits (128, 10) and their
 * gradient were 74 kB of the 205 kB an AlexNet-BN step at 96 allocated).
 * The pool holds at most {@link #maxBytes()} ({@code -Djgluon.pool.maxBytes}, default a third of
 * the maximum heap: AlexNet-BN at 224, batch 128, keeps 1.25 GiB in it between steps); beyond
 * that a returned array is left to the garbage collector.
 * Thread-safe; a buffer given back twice is a bug and throws.
 */
public final class BufferPool {

    /** Default smallest pooled length (elements): 256 bytes of floats. */
    public static final int MIN_POOLED = 64;

    private static final ByLength<float[]> FLOATS = new ByLength<>();
    private static final ByLength<int[]> INTS = new ByLength<>();
    /** The arrays now held, by identity: catches a double give-back before it corrupts two tensors. */
    private static final Set<Object> HELD = Collections.newSetFromMap(new IdentityHashMap<>());

    private static long maxBytes = Long.getLong("jgluon.pool.maxBytes", Runtime.getRuntime().maxMemory() / 3);
    private static long heldBytes, hits, misses, returned, dropped;
    private static volatile boolean poison = Boolean.getBoolean("jgluon.pool.poison");
    private static volatile int minLength = Integer.getInteger("jgluon.pool.minLength", MIN_POOLED);

    private BufferPool() {}

    /** Counters since the last {@link #resetStats()}: takes served from the pool, takes allocated, returns kept and dropped. */
    public record Stats(long hits, long misses, long returned, long dropped, long heldBytes) {
        @Override
        public String toString() {
            return "pool: " + hits + " hits, " + misses + " misses, " + returned + " returned, " + dropped
                    + " dropped, " + (heldBytes >> 20) + " MiB held";
        }
    }

    /** True when an array of {@code length} elements goes through the pool. */
    public static boolean pools(int length) {
        return length >= minLength && Recycling.enabled();
    }

    /** A float buffer of exactly {@code length} elements, contents undefined. */
    public static float[] takeFloats(int length) {
        if (!pools(length)) return new float[length];
        float[] a = poll(FLOATS, length);
        if (a == null) return new float[length];
        if (poison) fill(a, Float.NaN);
        return a;
    }

    /** A zero-filled float buffer of exactly {@code length} elements (for accumulators). */
    public static float[] takeZeroedFloats(int length) {
        if (!pools(length)) return new float[length];
        float[] a = poll(FLOATS, length);
        if (a == null) return new float[length]; // a fresh array is zero already
        fill(a, 0f);
        return a;
    }

    /** A held array of {@code length} elements from {@code byLength}, or null (a miss). */
    private static synchronized <T> T poll(ByLength<T> byLength, int length) {
        ArrayDeque<T> q = byLength.get(length);
        T a = q == null ? null : q.pollFirst();
        if (a == null) {
            misses++;
        } else {
            hits++;
            HELD.remove(a);
            heldBytes -= 4L * length;
        }
        return a;
    }

    /** An int buffer of exactly {@code length} elements, contents undefined. */
    public static int[] takeInts(int length) {
        if (!pools(length)) return new int[length];
        int[] a = poll(INTS, length);
        if (a == null) return new int[length];
        if (poison) Arrays.fill(a, Integer.MIN_VALUE);
        return a;
    }

    /** Gives {@code a} back; the caller and everyone else must never touch it again. Null and small arrays are ignored. */
    public static void give(float[] a) {
        if (a != null) put(FLOATS, a, a.length);
    }

    public static void give(int[] a) {
        if (a != null) put(INTS, a, a.length);
    }

    private static <T> void put(ByLength<T> byLength, T a, int length) {
        if (!pools(length)) return;
        synchronized (BufferPool.class) {
            if (admit(a, length)) byLength.getOrAdd(length).addFirst(a);
        }
    }

    /**
     * The held arrays of each length, looked up by an int (a {@code Map<Integer, ...>} boxed the
     * length on every take and give-back: an Integer each, 94 per AlexNet-BN step). A step uses a
     * few dozen lengths; a linear scan over them is a few ns. Guarded by the pool's lock.
     */
    private static final class ByLength<T> {
        private int[] lengths = new int[32];
        private Object[] queues = new Object[32];
        private int size;

        @SuppressWarnings("unchecked")
        ArrayDeque<T> get(int length) {
            for (int i = 0; i < size; i++) if (lengths[i] == length) return (ArrayDeque<T>) queues[i];
            return null;
        }

        ArrayDeque<T> getOrAdd(int length) {
            ArrayDeque<T> q = get(length);
            if (q != null) return q;
            if (size == lengths.length) {
                lengths = Arrays.copyOf(lengths, 2 * size);
                queues = Arrays.copyOf(queues, 2 * size);
            }
            q = new ArrayDeque<>();
            lengths[size] = length;
            queues[size++] = q;
            return q;
        }

        void clear() {
            Arrays.fill(queues, 0, size, null);
            size = 0;
        }
    }

    private static boolean admit(Object a, int length) {
        if (HELD.contains(a)) {
            throw new IllegalStateException("BufferPool: an array of " + length + " elements was given back twice;"
                    + " two tensors would share it. This is a bug in jgluon's buffer recycling");
        }
        if (heldBytes + 4L * length > maxBytes) {
            dropped++;
            return false;
        }
        HELD.add(a);
        heldBytes += 4L * length;
        returned++;
        return true;
    }

    private static void fill(float[] a, float v) {
        Parallel.forRange(a.length, 1 << 18, (lo, hi) -> Arrays.fill(a, lo, hi, v));
    }

    public static synchronized Stats stats() {
        return new Stats(hits, misses, returned, dropped, heldBytes);
    }

    public static synchronized void resetStats() {
        hits = misses = returned = dropped = 0;
    }

    /** Drops every held buffer (the garbage collector takes them). */
    public static synchronized void clear() {
        FLOATS.clear();
        INTS.clear();
        HELD.clear();
        heldBytes = 0;
    }

    public static synchronized long maxBytes() {
        return maxBytes;
    }

    public static synchronized void setMaxBytes(long bytes) {
        maxBytes = bytes;
    }

    /** Tests only: the smallest pooled length (1 puts every array through the pool). */
    public static void setMinLength(int length) {
        minLength = Math.max(1, length);
    }

    public static int minLength() {
        return minLength;
    }

    /**
     * Tests only ({@code -Djgluon.pool.poison=true}): fill every reused buffer taken "contents undefined" with NaN (ints with
     * {@code Integer.MIN_VALUE}), so that an op which does not overwrite its whole output shows up
     * as a changed result instead of passing by luck.
     */
    public static void setPoison(boolean on) {
        poison = on;
    }
}
