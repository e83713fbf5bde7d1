package org.jgluon.gluon.optimizer;

import java.util.HashMap;
import java.util.Map;

import org.jgluon.engine.Parallel;
import org.jgluon.gluon.Kwargs;

/**
 * MXNet's {@code mx.optimizer.Optimizer}: learning rate (or an {@link LRScheduler}), weight decay
 * {@code wd}, {@code rescale_grad} (the Trainer sets it to 1/batch_size at each step),
 * {@code clip_gradient}, and per-parameter update counts (Adam's bias correction and the
 * scheduler's {@code num_update}).
 *
 * <p>An update works on raw arrays in one pass per parameter with no allocation; subclasses
 * declare how many state arrays (each the weight's size) they keep per parameter.
 */
public abstract class Optimizer {

    protected float learningRate;
    protected float wd;
    protected float rescaleGrad = 1f;
    /** Negative: no clipping. */
    protected float clipGradient = -1f;
    protected LRScheduler scheduler;

    private final Map<Integer, Integer> counts = new HashMap<>();
    private int numUpdate;

    protected Optimizer(Kwargs kw, float defaultLr) {
        this.learningRate = kw.getFloat("learning_rate", defaultLr);
        this.wd = kw.getFloat("wd", 0f);
        this.rescaleGrad = kw.getFloat("rescale_grad", 1f);
        this.clipGradient = kw.getFloat("clip_gradient", -1f);
        this.scheduler = kw.get("lr_scheduler", LRScheduler.class, null);
        // MXNet: the optimizer's learning rate becomes the scheduler's base
        if (scheduler != null) scheduler.baseLr = learningRate;
    }

    /** The option names every optimizer accepts. */
    protected static final String[] COMMON = {"learning_rate", "wd", "rescale_grad", "clip_gradient", "lr_scheduler"};

    protected static String[] options(String... own) {
        String[] all = new String[COMMON.length + own.length];
        System.arraycopy(COMMON, 0, all, 0, COMMON.length);
        System.arraycopy(own, 0, all, COMMON.length, own.length);
        return all;
    }

    /** {@code 'sgd'}, {@code 'nag'} or {@code 'adam'} with its options. */
    public static Optimizer create(String name, Kwargs kw) {
        return switch (name.toLowerCase()) {
            case "sgd" -> new SGD(kw);
            case "nag" -> new NAG(kw);
            case "adam" -> new Adam(kw);
            default -> throw new IllegalArgumentException("unknown optimizer '" + name + "'; use 'sgd', 'nag' or 'adam'");
        };
    }

    public abstract String name();

    /** The number of state arrays per parameter (0 for plain SGD, 1 for momentum, 2 for Adam). */
    public abstract int stateCount();

    /** The learning rate the next update uses (the scheduler's value at the current update count). */
    public float learningRate() {
        return scheduler != null ? scheduler.lr(numUpdate) : learningRate;
    }

    public void setLearningRate(float lr) {
        if (scheduler != null) {
            throw new IllegalStateException("set_learning_rate: the learning rate follows an lr_scheduler; change the scheduler instead");
        }
        learningRate = lr;
    }

    public void setRescaleGrad(float r) {
        rescaleGrad = r;
    }

    /** Sets rescale_grad and returns this (for tests and one-line set-ups). */
    Optimizer withRescale(float r) {
        rescaleGrad = r;
        return this;
    }

    public float rescaleGrad() {
        return rescaleGrad;
    }

    public float wd() {
        return wd;
    }

    public int numUpdate() {
        return numUpdate;
    }

    public int count(int index) {
        return counts.getOrDefault(index, 0);
    }

    /** Restores the update counters (from saved trainer states). */
    public void restoreCounts(int numUpdate, Map<Integer, Integer> perIndex) {
        this.numUpdate = numUpdate;
        counts.clear();
        counts.putAll(perIndex);
    }

    /**
     * Updates weight {@code w[wOff, wOff+n)} with gradient {@code g[gOff, ...)} for parameter
     * {@code index}; {@code state} holds {@link #stateCount()} arrays of length n.
     */
    public final void update(int index, float[] w, int wOff, float[] g, int gOff, int n, float[][] state,
                             float lrMult, float wdMult) {
        int t = counts.merge(index, 1, Integer::sum);
        numUpdate = Math.max(numUpdate, t);
        float lr = learningRate() * lrMult, wdEff = wd * wdMult;
        // element-wise: any split over threads gives the same bits
        Parallel.forRange(n, GRAIN, (lo, hi) -> step(w, wOff, g, gOff, lo, hi, state, lr, wdEff, t));
    }

    /** Elements per parallel chunk: large parameters (AlexNet's dense layers) split over the threads. */
    private static final int GRAIN = 1 << 16;

    /**
     * Updates elements {@code [lo, hi)} (weight at {@code wOff + i}, gradient at {@code gOff + i},
     * state at {@code i}) with the effective learning rate and weight decay; {@code t} counts this
     * parameter's updates from 1.
     */
    protected abstract void step(float[] w, int wOff, float[] g, int gOff, int lo, int hi, float[][] state, float lr,
                                 float wd, int t);

    /** rescale·g, clipped to ±clip_gradient when set. */
    protected final float scaled(float g) {
        float r = rescaleGrad * g;
        if (clipGradient >= 0f) r = Math.max(-clipGradient, Math.min(clipGradient, r));
        return r;
    }
}
