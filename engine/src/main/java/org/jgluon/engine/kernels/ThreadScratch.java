package org.jgluon.engine.kernels;

/**
 * A kernel's per-thread float buffer, grown on demand and kept: once warm, a kernel takes its
 * scratch without allocating (a first touch of fresh memory costs ≈ 3 ms per MB in this VM, and
 * the step is meant to allocate nothing). Contents are undefined: whatever the last user left.
 */
final class ThreadScratch {

    private final ThreadLocal<float[]> slot = ThreadLocal.withInitial(() -> new float[0]);

    /** This thread's buffer, at least {@code size} floats long. */
    float[] of(int size) {
        float[] a = slot.get();
        if (a.length < size) {
            a = new float[size];
            slot.set(a);
        }
        return a;
    }
}
