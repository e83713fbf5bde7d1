package org.jgluon.gluon;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jgluon.gluon.init.Initializer;

/**
 * Gluon's {@code ParameterDict}: parameters by full name ({@code conv0_weight}), in the order the
 * blocks created them (depth first), as {@code net.collect_params()} returns them.
 */
public final class ParameterDict implements Iterable<Parameter> {

    private final Map<String, Parameter> params = new LinkedHashMap<>();

    public void add(Parameter p) {
        Parameter old = params.putIfAbsent(p.name(), p);
        if (old != null && old != p) {
            throw new IllegalArgumentException("two different parameters are both named '" + p.name()
                    + "'; give the blocks distinct prefixes");
        }
    }

    public Parameter get(String name) {
        Parameter p = params.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no parameter named '" + name + "'; have: " + String.join(", ", params.keySet()));
        }
        return p;
    }

    public boolean contains(String name) {
        return params.containsKey(name);
    }

    public int size() {
        return params.size();
    }

    public List<String> keys() {
        return new ArrayList<>(params.keySet());
    }

    public Collection<Parameter> values() {
        return params.values();
    }

    @Override
    public Iterator<Parameter> iterator() {
        return params.values().iterator();
    }

    /** Initialises every parameter (see {@link Parameter#initialize}). */
    public void initialize(Initializer defaultInit, boolean forceReinit) {
        int skipped = 0;
        for (Parameter p : params.values()) if (!p.initialize(defaultInit, forceReinit)) skipped++;
        if (skipped > 0) {
            System.err.println("jgluon: " + skipped + " parameter(s) already initialized, left unchanged;"
                    + " pass force_reinit=true to initialize them again");
        }
    }

    /** Zeroes every gradient. */
    public void zeroGrad() {
        for (Parameter p : params.values()) p.zeroGrad();
    }

    /** Sets {@code lr_mult} on every parameter. */
    public void setLrMult(float m) {
        for (Parameter p : params.values()) p.setLrMult(m);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("ParameterDict(\n");
        for (Parameter p : params.values()) b.append("  ").append(p).append('\n');
        return b.append(')').toString();
    }
}
