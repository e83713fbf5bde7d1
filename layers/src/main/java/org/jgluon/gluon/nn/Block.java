package org.jgluon.gluon.nn;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.Autograd;
import org.jgluon.engine.autograd.GradReq;
import org.jgluon.engine.memory.Recycling;
import org.jgluon.gluon.Kwargs;
import org.jgluon.gluon.Parameter;
import org.jgluon.gluon.ParameterDict;
import org.jgluon.gluon.ParameterFile;
import org.jgluon.gluon.init.Initializer;
import org.jgluon.gluon.init.Uniform;

/**
 * Gluon's {@code Block}: a piece of a network with parameters and child blocks.
 *
 * <p>Names follow MXNet 1.x: each block gets a prefix from a per-type counter ({@code conv0_},
 * {@code dense1_}, {@code batchnorm0_}, {@code pool2_}, {@code relu0_}, ...), and its parameters
 * are named prefix + local name ({@code conv0_weight}). Parameter files use the structural
 * names instead ({@code 0.weight}, {@code 3.running_var}), as MXNet's {@code save_parameters}
 * does, so a file loads into a freshly built copy of the network whatever its counters say.
 *
 * <p>Train or predict mode is not a block setting: it is {@code Autograd.isTraining()}, i.e.
 * recording ({@code autograd.record}) means train mode and a plain call means predict mode.
 */
public abstract class Block {

    private static final Map<String, Integer> COUNTERS = new HashMap<>();

    private final String prefix;
    private final Map<String, Parameter> params = new LinkedHashMap<>();
    private final Map<String, Block> children = new LinkedHashMap<>();
    private boolean hybridized;

    /** {@code alias} is MXNet's per-type name ({@code conv}, {@code dense}, ...); {@code prefix} null = automatic. */
    protected Block(String alias, String prefix) {
        this.prefix = prefix != null ? prefix : alias + nextCount(alias) + "_";
    }

    private static synchronized int nextCount(String alias) {
        int n = COUNTERS.getOrDefault(alias, 0);
        COUNTERS.put(alias, n + 1);
        return n;
    }

    /** The name prefix, e.g. {@code conv0_}. */
    public String prefix() {
        return prefix;
    }

    /** The block's name: the prefix without its trailing underscore ({@code conv0}). */
    public String name() {
        return prefix.endsWith("_") ? prefix.substring(0, prefix.length() - 1) : prefix;
    }

    /** Runs the block on {@code x}. */
    public abstract Tensor forward(Tensor x);

    /** A short description for error messages and summaries, e.g. {@code Conv2D 256, kernel 5×5}. */
    public String describe() {
        return getClass().getSimpleName();
    }

    // ---- parameters and children -----------------------------------------------------------

    /** Declares a parameter {@code prefix + localName}; 0 in the shape = inferred at the first forward. */
    protected Parameter newParam(String localName, int[] shape, GradReq gradReq, Initializer init) {
        Parameter p = new Parameter(prefix + localName, shape, gradReq, init);
        params.put(localName, p);
        return p;
    }

    /** Registers a child block under {@code key} (Sequential uses "0", "1", ...). */
    protected <B extends Block> B registerChild(String key, B child) {
        if (child == null) throw new IllegalArgumentException(name() + ": cannot add a null block");
        if (child == this) throw new IllegalArgumentException(name() + ": cannot add a block to itself");
        children.put(key, child);
        return child;
    }

    /** The block's own parameters by local name ({@code weight}, {@code bias}). */
    public Map<String, Parameter> ownParams() {
        return java.util.Collections.unmodifiableMap(params);
    }

    /** The child blocks by key, in order. */
    public Map<String, Block> children() {
        return java.util.Collections.unmodifiableMap(children);
    }

    /** All parameters of this block and its children ({@code net.collect_params()}). */
    public ParameterDict collectParams() {
        return collectParams(null);
    }

    /**
     * The parameters whose full name matches {@code select} from its start (Python's
     * {@code re.match}), e.g. {@code ".*weight"} or {@code "conv0_.*|dense0_bias"}; null = all.
     */
    public ParameterDict collectParams(String select) {
        ParameterDict dict = new ParameterDict();
        Pattern pattern = select == null ? null : Pattern.compile(select);
        collectInto(dict, pattern);
        return dict;
    }

    private void collectInto(ParameterDict dict, Pattern pattern) {
        for (Parameter p : params.values()) {
            if (pattern == null || pattern.matcher(p.name()).lookingAt()) dict.add(p);
        }
        for (Block c : children.values()) c.collectInto(dict, pattern);
    }

    /** Parameters by structural name ({@code 0.weight}, {@code 1.gamma}), as parameter files key them. */
    public Map<String, Parameter> structuralParams() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collectStructural("", out);
        return out;
    }

    private void collectStructural(String path, Map<String, Parameter> out) {
        for (Map.Entry<String, Parameter> e : params.entrySet()) out.put(path + e.getKey(), e.getValue());
        for (Map.Entry<String, Block> e : children.entrySet()) e.getValue().collectStructural(path + e.getKey() + ".", out);
    }

    // ---- initialisation --------------------------------------------------------------------

    /** {@code initialize()}: Gluon's default {@code init.Uniform()}. */
    public Block initialize() {
        return initialize(new Uniform(), false);
    }

    public Block initialize(Initializer init) {
        return initialize(init, false);
    }

    /**
     * Initialises every parameter. {@code init} is only the default: a parameter's own
     * initializer wins (bias → zeros, gamma → ones, running_var → ones, or an explicit
     * {@code weight_initializer}). Parameters whose shape depends on the input are initialised
     * at the first forward.
     */
    public Block initialize(Initializer init, boolean forceReinit) {
        collectParams().initialize(init == null ? new Uniform() : init, forceReinit);
        return this;
    }

    /** From options {@code init}, {@code force_reinit} (and {@code ctx}, {@code verbose}, accepted and ignored). */
    public Block initialize(Kwargs kw) {
        kw.check("initialize", "init", "force_reinit", "ctx", "verbose");
        return initialize(Initializer.create(kw.get("init", new Uniform())), kw.getBool("force_reinit", false));
    }

    /** {@code hybridize()}: accepted for Gluon compatibility; fusion (BatchNorm+ReLU) is always on. */
    public Block hybridize() {
        hybridized = true;
        for (Block c : children.values()) c.hybridize();
        return this;
    }

    public boolean isHybridized() {
        return hybridized;
    }

    // ---- running ---------------------------------------------------------------------------

    /**
     * Runs a leaf block's computation, naming the block and the input shape in any shape error,
     * e.g. {@code conv2 (Conv2D 256, kernel 5×5): input (2, 96, 3, 3): conv2d: ...}, and
     * reporting the output to a running {@link #summary}.
     */
    protected final Tensor guard(Tensor x, String summaryNote, UnaryOperator<Tensor> body) {
        Tensor out;
        // the body is built-in code: what it makes and does not return is internal (Recycling)
        Recycling.Frame frame = Recycling.enter();
        try {
            out = body.apply(x);
        } catch (IllegalArgumentException e) {
            Recycling.abandon(frame);
            throw new IllegalArgumentException(name() + " (" + describe() + "): input " + x.shapeString() + ": "
                    + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            Recycling.abandon(frame);
            throw e;
        }
        Recycling.exit(frame, out);
        Summary.record(this, out, summaryNote);
        return out;
    }

    /**
     * True for jgluon's own blocks, whose code keeps no reference to the tensors it is given or
     * makes beyond the call: a container may recycle what passes between them ({@link Recycling}).
     * A user's subclass (any other package) is not built in.
     */
    static boolean isBuiltIn(Block b) {
        return b.getClass().getPackageName().equals(Block.class.getPackageName());
    }

    protected final Tensor guard(Tensor x, UnaryOperator<Tensor> body) {
        return guard(x, null, body);
    }

    /**
     * Prints and returns a table of the layers run on {@code x}: output shape and parameter count
     * per layer and the totals, as MXNet's {@code summary}. Runs in predict mode without recording,
     * so running statistics are not touched. Fused BatchNorm+ReLU pairs are marked.
     */
    public String summary(Tensor x) {
        String table = summaryTable(x);
        System.out.println(table);
        return table;
    }

    /** The table of {@link #summary} without printing it (the JavaScript front end prints it to the script's output). */
    public String summaryTable(Tensor x) {
        return Autograd.pause(false, () -> Summary.run(this, x));
    }

    // ---- parameter files -------------------------------------------------------------------

    /** Writes every parameter to {@code file} (format: {@link ParameterFile}); atomic. */
    public void saveParameters(Path file) {
        ParameterFile.save(file, structuralParams());
    }

    /** {@code save_parameters(filename)}: a path as text (what a JS script passes). */
    public void saveParameters(String file) {
        saveParameters(Path.of(file));
    }

    public void loadParameters(Path file) {
        loadParameters(file, false, false);
    }

    public void loadParameters(String file) {
        loadParameters(Path.of(file), false, false);
    }

    public void loadParameters(String file, boolean allowMissing, boolean ignoreExtra) {
        loadParameters(Path.of(file), allowMissing, ignoreExtra);
    }

    /** {@code load_parameters(filename, allow_missing=False, ignore_extra=False)} with options ({@code ctx} is accepted and ignored). */
    public void loadParameters(String file, Kwargs kw) {
        kw.check("load_parameters", "allow_missing", "ignore_extra", "ctx", "cast_dtype", "dtype_source");
        loadParameters(Path.of(file), kw.getBool("allow_missing", false), kw.getBool("ignore_extra", false));
    }

    /**
     * Loads parameters saved by {@link #saveParameters}. Everything is checked before anything is
     * copied: on any error the network is unchanged.
     */
    public void loadParameters(Path file, boolean allowMissing, boolean ignoreExtra) {
        ParameterFile.load(file, structuralParams(), allowMissing, ignoreExtra);
    }

    @Override
    public String toString() {
        if (children.isEmpty()) return describe();
        StringBuilder b = new StringBuilder(getClass().getSimpleName()).append("(\n");
        for (Map.Entry<String, Block> e : children.entrySet()) {
            b.append("  (").append(e.getKey()).append("): ")
                    .append(e.getValue().toString().replace("\n", "\n  ")).append('\n');
        }
        return b.append(')').toString();
    }

    /** Reads the optional {@code prefix} option every block accepts. */
    protected static String prefixOf(Kwargs kw) {
        return kw.getString("prefix", null);
    }
}
