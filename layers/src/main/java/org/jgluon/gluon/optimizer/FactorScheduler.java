package org.jgluon.gluon.optimizer;

import org.jgluon.gluon.Kwargs;

/**
 * {@code FactorScheduler(step, factor=1, stop_factor_lr=1e-8)}: the rate is multiplied by
 * {@code factor} every {@code step} updates, never below {@code stop_factor_lr}.
 */
public final class FactorScheduler extends LRScheduler {

    private final int step;
    private final float factor, stopFactorLr;

    public FactorScheduler(int step, Kwargs kw) {
        kw.check("FactorScheduler", "step", "factor", "stop_factor_lr", "base_lr");
        if (step < 1) throw new IllegalArgumentException("FactorScheduler: step must be >= 1, got " + step);
        this.step = step;
        this.factor = kw.getFloat("factor", 1f);
        if (factor > 1f) throw new IllegalArgumentException("FactorScheduler: factor must be <= 1, got " + factor);
        this.stopFactorLr = kw.getFloat("stop_factor_lr", 1e-8f);
        this.baseLr = kw.getFloat("base_lr", 0.01f);
    }

    /** From options, {@code step} included: {@code FactorScheduler({step: 100, factor: 0.5})}. */
    public FactorScheduler(Kwargs kw) {
        this(requireStep(kw), kw.with("step", null));
    }

    private static int requireStep(Kwargs kw) {
        if (!kw.has("step")) throw new IllegalArgumentException("FactorScheduler: step is required");
        return kw.getInt("step", 1);
    }

    public FactorScheduler(int step, float factor) {
        this(step, Kwargs.kw("factor", factor));
    }

    @Override
    public float lr(int numUpdate) {
        // MXNet: after every full `step` updates past the last change, multiply once
        int changes = numUpdate <= 0 ? 0 : (numUpdate - 1) / step;
        double lr = baseLr * Math.pow(factor, changes);
        return (float) Math.max(lr, stopFactorLr);
    }
}
