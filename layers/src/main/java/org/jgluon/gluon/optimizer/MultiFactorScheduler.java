package org.jgluon.gluon.optimizer;

import org.jgluon.gluon.Kwargs;

/**
 * {@code MultiFactorScheduler(step=[s1, s2, ...], factor=1)}: the rate is multiplied by
 * {@code factor} once the update count passes each of the increasing steps.
 */
public final class MultiFactorScheduler extends LRScheduler {

    private final int[] steps;
    private final float factor;

    public MultiFactorScheduler(int[] steps, Kwargs kw) {
        kw.check("MultiFactorScheduler", "step", "factor", "base_lr");
        if (steps.length == 0) throw new IllegalArgumentException("MultiFactorScheduler: give at least one step");
        for (int i = 0; i < steps.length; i++) {
            if (steps[i] < 1 || (i > 0 && steps[i] <= steps[i - 1])) {
                throw new IllegalArgumentException("MultiFactorScheduler: steps must be increasing and >= 1, got "
                        + java.util.Arrays.toString(steps));
            }
        }
        this.steps = steps.clone();
        this.factor = kw.getFloat("factor", 1f);
        if (factor > 1f) throw new IllegalArgumentException("MultiFactorScheduler: factor must be <= 1, got " + factor);
        this.baseLr = kw.getFloat("base_lr", 0.01f);
    }

    /** From options, {@code step} included: {@code MultiFactorScheduler({step: [10, 20], factor: 0.1})}. */
    public MultiFactorScheduler(Kwargs kw) {
        this(kw.getIntList("step", new int[0]), kw);
    }

    public MultiFactorScheduler(int[] steps, float factor) {
        this(steps, Kwargs.kw("factor", factor));
    }

    @Override
    public float lr(int numUpdate) {
        int passed = 0;
        while (passed < steps.length && numUpdate > steps[passed]) passed++;
        return (float) (baseLr * Math.pow(factor, passed));
    }
}
