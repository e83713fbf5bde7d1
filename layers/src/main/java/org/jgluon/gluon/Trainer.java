package org.jgluon.gluon;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jgluon.engine.Shapes;
import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.GradReq;
import org.jgluon.gluon.optimizer.Optimizer;

/**
 * {@code gluon.Trainer(params, optimizer, optimizer_params)}: applies an optimizer to a set of
 * parameters. {@link #step(int)} sets {@code rescale_grad = 1/batch_size} (times the
 * {@code rescale_grad} option, default 1) and updates every parameter with a gradient
 * ({@code grad_req='null'} ones, such as BatchNorm's running statistics, are skipped).
 * Optimizer state arrays are created at the first step.
 */
public final class Trainer {

    private static final String STATE_MAGIC = "JGLNOPTS";

    private final List<Parameter> params;
    private final Optimizer optimizer;
    private final float scale;
    private final float[][][] states;

    public Trainer(ParameterDict params, String optimizer, Kwargs optimizerParams) {
        this(params, Optimizer.create(optimizer, optimizerParams));
    }

    public Trainer(ParameterDict params, Optimizer optimizer) {
        this.params = new ArrayList<>(params.values());
        this.optimizer = optimizer;
        this.scale = optimizer.rescaleGrad();
        this.states = new float[this.params.size()][][];
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public List<Parameter> params() {
        return List.copyOf(params);
    }

    /** {@code trainer.learning_rate}. */
    public float learningRate() {
        return optimizer.learningRate();
    }

    /** {@code trainer.set_learning_rate(lr)}. */
    public void setLearningRate(float lr) {
        optimizer.setLearningRate(lr);
    }

    /** One optimizer update with gradients normalised by {@code batchSize}. */
    public void step(int batchSize) {
        if (batchSize <= 0) throw new IllegalArgumentException("Trainer.step: batch_size must be positive, got " + batchSize);
        optimizer.setRescaleGrad(scale / batchSize);
        update();
    }

    /** {@code trainer.update(batch_size)}: the same as step here (no gradient reduction across devices). */
    public void update(int batchSize) {
        step(batchSize);
    }

    private void update() {
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            if (p.gradReq() == GradReq.NULL) continue;
            if (!p.isInitialized()) {
                throw new IllegalStateException("Trainer.step: parameter '" + p.name() + "' is not initialized yet"
                        + " (initialize the network and run a forward pass under autograd.record first)");
            }
            Tensor w = p.data();
            Tensor g = w.grad();
            if (g == null) continue;
            float[][] st = states[i];
            if (st == null) st = states[i] = new float[optimizer.stateCount()][w.size()];
            optimizer.update(i, w.data(), w.offset(), g.data(), g.offset(), w.size(), st, p.lrMult(), p.wdMult());
        }
    }

    /**
     * Saves the optimizer state (momentum/Adam moments and update counts) for a checkpoint, in a
     * {@link TensorFile} with magic {@code "JGLNOPTS"}: entries {@code optimizer.<name>} (empty),
     * {@code num_update}, and per parameter index i {@code i.count} and {@code i.state<k>}.
     * Counts are stored as (high, low) 24-bit halves so float32 keeps them exact.
     */
    public void saveStates(Path file) {
        Map<String, TensorFile.Entry> e = new LinkedHashMap<>();
        e.put("optimizer." + optimizer.name(), new TensorFile.Entry(new int[] {0}, new float[0]));
        e.put("num_update", splitCount(optimizer.numUpdate()));
        for (int i = 0; i < params.size(); i++) {
            if (optimizer.count(i) > 0) e.put(i + ".count", splitCount(optimizer.count(i)));
            if (states[i] == null) continue;
            int[] shape = params.get(i).shape();
            for (int k = 0; k < states[i].length; k++) e.put(i + ".state" + k, new TensorFile.Entry(shape, states[i][k]));
        }
        TensorFile.write(file, STATE_MAGIC, e);
    }

    /** {@code trainer.save_states(fname)} with the path as text. */
    public void saveStates(String file) {
        saveStates(Path.of(file));
    }

    public void loadStates(String file) {
        loadStates(Path.of(file));
    }

    /** Restores what {@link #saveStates} wrote; validates everything first (the trainer is unchanged on error). */
    public void loadStates(Path file) {
        Map<String, TensorFile.Entry> e = TensorFile.read(file, STATE_MAGIC, "jgluon trainer state");
        String src = "load_states: " + file;
        if (!e.containsKey("optimizer." + optimizer.name())) {
            throw new IllegalArgumentException(src + " holds the state of another optimizer (entries " + e.keySet()
                    + "); this trainer uses '" + optimizer.name() + "'");
        }
        int numUpdate = joinCount(src, "num_update", e.get("num_update"));
        Map<Integer, Integer> counts = new HashMap<>();
        float[][][] loaded = new float[params.size()][][];
        for (String key : e.keySet()) {
            if (key.equals("num_update") || key.startsWith("optimizer.")) continue;
            int dot = key.indexOf('.');
            int idx;
            try {
                idx = Integer.parseInt(key.substring(0, Math.max(dot, 0)));
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException(src + ": unexpected entry '" + key + "'");
            }
            if (idx < 0 || idx >= params.size()) {
                throw new IllegalArgumentException(src + ": entry '" + key + "' is for parameter " + idx
                        + " but this trainer has " + params.size() + " parameters (another network?)");
            }
            String what = key.substring(dot + 1);
            if (what.equals("count")) {
                counts.put(idx, joinCount(src, key, e.get(key)));
                continue;
            }
            int k = what.startsWith("state") ? parseOr(what.substring(5), -1) : -1;
            if (k < 0 || k >= optimizer.stateCount()) throw new IllegalArgumentException(src + ": unexpected entry '" + key + "'");
            Parameter p = params.get(idx);
            TensorFile.Entry s = e.get(key);
            if (!Shapes.same(s.shape(), p.shape())) {
                throw new IllegalArgumentException(src + ": state of parameter '" + p.name() + "' has shape "
                        + Shapes.str(s.shape()) + " in the file but the parameter is " + Shapes.str(p.shape()));
            }
            if (loaded[idx] == null) loaded[idx] = new float[optimizer.stateCount()][];
            loaded[idx][k] = s.data();
        }
        for (int i = 0; i < loaded.length; i++) {
            if (loaded[i] == null) continue;
            for (float[] a : loaded[i]) {
                if (a == null) throw new IllegalArgumentException(src + ": incomplete state for parameter '" + params.get(i).name() + "'");
            }
        }
        System.arraycopy(loaded, 0, states, 0, states.length);
        optimizer.restoreCounts(numUpdate, counts);
    }

    private static int parseOr(String s, int def) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return def;
        }
    }

    private static TensorFile.Entry splitCount(int n) {
        return new TensorFile.Entry(new int[] {2}, new float[] {n >>> 24, n & 0xFFFFFF});
    }

    private static int joinCount(String src, String key, TensorFile.Entry e) {
        if (e == null || e.data().length != 2) throw new IllegalArgumentException(src + ": missing or malformed '" + key + "'");
        float hi = e.data()[0], lo = e.data()[1];
        if (!(hi >= 0 && hi < 128 && lo >= 0 && lo < (1 << 24)) || hi != (int) hi || lo != (int) lo) {
            throw new IllegalArgumentException(src + ": malformed count '" + key + "'");
        }
        return ((int) hi << 24) | (int) lo;
    }
}
