package org.jgluon.gluon.init;

/**
 * {@code init.MSRAPrelu(factor_type='avg', slope=0.25)} (He et al.): a gaussian Xavier with
 * magnitude 2 / (1 + slope²).
 */
public final class MSRAPrelu extends Xavier {
    public MSRAPrelu() {
        this("avg", 0.25f);
    }

    /** From options {@code factor_type}, {@code slope}. */
    public MSRAPrelu(org.jgluon.gluon.Kwargs kw) {
        this(kw.check("init.MSRAPrelu", "factor_type", "slope").getString("factor_type", "avg"), kw.getFloat("slope", 0.25f));
    }

    public MSRAPrelu(String factorType, float slope) {
        super("gaussian", factorType, 2f / (1f + slope * slope));
    }
}
