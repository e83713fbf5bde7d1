package org.jgluon.gluon.optimizer;

import org.jgluon.gluon.Kwargs;

/**
 * {@code 'adam'(learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8)} as MXNet:
 * g' = clip(rescale·g + wd·w); m ← β1·m + (1−β1)·g'; v ← β2·v + (1−β2)·g'²;
 * w ← w − lr·sqrt(1−β2ᵗ)/(1−β1ᵗ) · m / (sqrt(v) + ε), t counting this parameter's updates.
 */
public final class Adam extends Optimizer {

    private final float beta1, beta2, epsilon;

    public Adam(Kwargs kw) {
        super(kw.check("optimizer adam", options("beta1", "beta2", "epsilon")), 0.001f);
        this.beta1 = kw.getFloat("beta1", 0.9f);
        this.beta2 = kw.getFloat("beta2", 0.999f);
        this.epsilon = kw.getFloat("epsilon", 1e-8f);
    }

    @Override
    public String name() {
        return "adam";
    }

    @Override
    public int stateCount() {
        return 2;
    }

    @Override
    protected void step(float[] w, int wOff, float[] g, int gOff, int lo, int hi, float[][] state, float lr, float wd, int t) {
        double coef1 = 1.0 - Math.pow(beta1, t), coef2 = 1.0 - Math.pow(beta2, t);
        float stepSize = (float) (lr * Math.sqrt(coef2) / coef1);
        float[] mean = state[0], var = state[1];
        for (int i = lo; i < hi; i++) {
            float wi = w[wOff + i];
            float gi = rescaleGrad * g[gOff + i] + wd * wi;
            if (clipGradient >= 0f) gi = Math.max(-clipGradient, Math.min(clipGradient, gi));
            float m = beta1 * mean[i] + (1f - beta1) * gi;
            float v = beta2 * var[i] + (1f - beta2) * gi * gi;
            mean[i] = m;
            var[i] = v;
            w[wOff + i] = wi - stepSize * m / ((float) Math.sqrt(v) + epsilon);
        }
    }
}
