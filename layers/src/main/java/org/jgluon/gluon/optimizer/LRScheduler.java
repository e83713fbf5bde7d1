package org.jgluon.gluon.optimizer;

/**
 * MXNet's {@code mx.lr_scheduler.LRScheduler}: the learning rate as a function of the number of
 * updates so far. The optimizer sets {@link #baseLr} to its {@code learning_rate}.
 */
public abstract class LRScheduler {

    protected float baseLr = 0.01f;

    public float baseLr() {
        return baseLr;
    }

    public void setBaseLr(float lr) {
        baseLr = lr;
    }

    /** The learning rate after {@code numUpdate} updates. */
    public abstract float lr(int numUpdate);
}
