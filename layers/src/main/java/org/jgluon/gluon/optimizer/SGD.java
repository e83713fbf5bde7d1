package org.jgluon.gluon.optimizer;

import org.jgluon.gluon.Kwargs;

/**
 * {@code 'sgd'} (MXNet's {@code sgd_update} / {@code sgd_mom_update}), g' = clip(rescale·g):
 * without momentum w ← w − lr·(g' + wd·w); with momentum the state is MXNet's
 * {@code mom ← momentum·mom − lr·(g' + wd·w)}, then {@code w ← w + mom} (so mom is the negated
 * "velocity" of GLUON.md's formula; the weights are identical).
 */
public final class SGD extends Optimizer {

    private final float momentum;

    public SGD(Kwargs kw) {
        super(kw.check("optimizer sgd", options("momentum", "lazy_update")), 0.01f);
        this.momentum = kw.getFloat("momentum", 0f);
    }

    @Override
    public String name() {
        return "sgd";
    }

    @Override
    public int stateCount() {
        return momentum != 0f ? 1 : 0;
    }

    @Override
    protected void step(float[] w, int wOff, float[] g, int gOff, int n, float[][] state, float lr, float wd, int t) {
        if (momentum == 0f) {
            for (int i = 0; i < n; i++) {
                float wi = w[wOff + i];
                w[wOff + i] = wi - lr * (scaled(g[gOff + i]) + wd * wi);
            }
            return;
        }
        float[] mom = state[0];
        for (int i = 0; i < n; i++) {
            float wi = w[wOff + i];
            float m = momentum * mom[i] - lr * (scaled(g[gOff + i]) + wd * wi);
            mom[i] = m;
            w[wOff + i] = wi + m;
        }
    }
}
