package org.jgluon.gluon.optimizer;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import org.jgluon.gluon.Kwargs;

/**
 * {@code 'sgd'} (MXNet's {@code sgd_update} / {@code sgd_mom_update}), g' = clip(rescale·g):
 * without momentum w ← w − lr·(g' + wd·w); with momentum the state is MXNet's
 * {@code mom ← momentum·mom − lr·(g' + wd·w)}, then {@code w ← w + mom} (so mom is the negated
 * "velocity" of GLUON.md's formula; the weights are identical).
 *
 * <p>The update is the hot loop of every training step (AlexNet has ~50M weights), so it runs
 * on the Vector API; {@link #reference} is its scalar twin (same operations in the same order,
 * so the results are bit-identical), used as the test oracle and for {@code clip_gradient}.
 */
public final class SGD extends Optimizer {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private final float momentum;

    public SGD(Kwargs kw) {
        super(kw.check("optimizer sgd", options("momentum")), 0.01f);
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
    protected void step(float[] w, int wOff, float[] g, int gOff, int lo, int hi, float[][] state, float lr, float wd, int t) {
        if (clipGradient >= 0f) {
            reference(w, wOff, g, gOff, lo, hi, state, lr, wd);
            return;
        }
        float rescale = rescaleGrad;
        int i = lo;
        int upper = lo + S.loopBound(hi - lo);
        if (momentum == 0f) {
            for (; i < upper; i += S.length()) {
                FloatVector wv = FloatVector.fromArray(S, w, wOff + i);
                FloatVector gv = FloatVector.fromArray(S, g, gOff + i).mul(rescale);
                wv.sub(gv.add(wv.mul(wd)).mul(lr)).intoArray(w, wOff + i);
            }
        } else {
            float[] mom = state[0];
            for (; i < upper; i += S.length()) {
                FloatVector wv = FloatVector.fromArray(S, w, wOff + i);
                FloatVector gv = FloatVector.fromArray(S, g, gOff + i).mul(rescale);
                FloatVector mv = FloatVector.fromArray(S, mom, i).mul(momentum).sub(gv.add(wv.mul(wd)).mul(lr));
                mv.intoArray(mom, i);
                wv.add(mv).intoArray(w, wOff + i);
            }
        }
        reference(w, wOff, g, gOff, i, hi, state, lr, wd);
    }

    /** The scalar twin of {@link #step}: the same update, element by element. */
    void reference(float[] w, int wOff, float[] g, int gOff, int lo, int hi, float[][] state, float lr, float wd) {
        if (momentum == 0f) {
            for (int i = lo; i < hi; i++) {
                float wi = w[wOff + i];
                w[wOff + i] = wi - (scaled(g[gOff + i]) + wi * wd) * lr;
            }
            return;
        }
        float[] mom = state[0];
        for (int i = lo; i < hi; i++) {
            float wi = w[wOff + i];
            float m = mom[i] * momentum - (scaled(g[gOff + i]) + wi * wd) * lr;
            mom[i] = m;
            w[wOff + i] = wi + m;
        }
    }
}
