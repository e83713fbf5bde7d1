package org.jgluon.gluon.optimizer;

import org.jgluon.gluon.Kwargs;

/**
 * {@code CosineScheduler(max_update, base_lr=0.01, final_lr=0, warmup_steps=0,
 * warmup_begin_lr=0)}: a linear warm-up from warmup_begin_lr to base_lr over warmup_steps,
 * then final_lr + (base_lr − final_lr)·(1 + cos(π·(t − warmup)/(max_update − warmup)))/2 until
 * max_update, then final_lr.
 */
public final class CosineScheduler extends LRScheduler {

    private final int maxUpdate, warmupSteps;
    private final float finalLr, warmupBeginLr;

    public CosineScheduler(int maxUpdate, Kwargs kw) {
        kw.check("CosineScheduler", "max_update", "base_lr", "final_lr", "warmup_steps", "warmup_begin_lr", "warmup_mode");
        this.maxUpdate = maxUpdate;
        this.baseLr = kw.getFloat("base_lr", 0.01f);
        this.finalLr = kw.getFloat("final_lr", 0f);
        this.warmupSteps = kw.getInt("warmup_steps", 0);
        this.warmupBeginLr = kw.getFloat("warmup_begin_lr", 0f);
        if (!kw.getString("warmup_mode", "linear").equals("linear")) {
            throw new IllegalArgumentException("CosineScheduler: only warmup_mode 'linear' is supported");
        }
        if (maxUpdate < 1 || warmupSteps < 0 || warmupSteps >= maxUpdate) {
            throw new IllegalArgumentException("CosineScheduler: need max_update >= 1 and 0 <= warmup_steps < max_update, got "
                    + maxUpdate + " and " + warmupSteps);
        }
    }

    /** From options, {@code max_update} included. */
    public CosineScheduler(Kwargs kw) {
        this(kw.getInt("max_update", 0), kw);
    }

    public CosineScheduler(int maxUpdate) {
        this(maxUpdate, Kwargs.empty());
    }

    @Override
    public float lr(int numUpdate) {
        if (numUpdate < warmupSteps) {
            return warmupBeginLr + (baseLr - warmupBeginLr) * numUpdate / warmupSteps;
        }
        if (numUpdate <= maxUpdate) {
            double frac = (double) (numUpdate - warmupSteps) / (maxUpdate - warmupSteps);
            return (float) (finalLr + (baseLr - finalLr) * (1 + Math.cos(Math.PI * frac)) / 2);
        }
        return finalLr;
    }
}
