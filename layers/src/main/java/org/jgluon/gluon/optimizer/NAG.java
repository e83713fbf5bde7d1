package org.jgluon.gluon.optimizer;

import org.jgluon.gluon.Kwargs;

/**
 * {@code 'nag'}, Nesterov momentum as MXNet 1.x: g' = clip(rescale·g) + wd·w,
 * mom ← momentum·mom + g', w ← w − lr·(g' + momentum·mom). Without momentum it is plain SGD.
 */
public final class NAG extends Optimizer {

    private final float momentum;

    public NAG(Kwargs kw) {
        super(kw.check("optimizer nag", options("momentum")), 0.01f);
        this.momentum = kw.getFloat("momentum", 0f);
    }

    @Override
    public String name() {
        return "nag";
    }

    @Override
    public int stateCount() {
        return momentum != 0f ? 1 : 0;
    }

    @Override
    protected void step(float[] w, int wOff, float[] g, int gOff, int lo, int hi, float[][] state, float lr, float wd, int t) {
        if (momentum == 0f) {
            for (int i = lo; i < hi; i++) {
                float wi = w[wOff + i];
                w[wOff + i] = wi - lr * (scaled(g[gOff + i]) + wd * wi);
            }
            return;
        }
        float[] mom = state[0];
        for (int i = lo; i < hi; i++) {
            float wi = w[wOff + i];
            float gi = scaled(g[gOff + i]) + wd * wi;
            float m = momentum * mom[i] + gi;
            mom[i] = m;
            w[wOff + i] = wi - lr * (gi + momentum * m);
        }
    }
}
