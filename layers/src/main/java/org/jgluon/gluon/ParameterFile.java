package org.jgluon.gluon;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jgluon.engine.Shapes;
import org.jgluon.engine.Tensor;

/**
 * {@code save_parameters} / {@code load_parameters}: a {@link TensorFile} with magic
 * {@code "JGLNPARM"} whose entries are the network's parameters by structural name
 * ({@code 0.weight}, {@code 1.running_var}, as MXNet 1.x keys its files), each with its shape
 * and float32 values.
 *
 * <p>Loading validates everything — magic, version, checksum, every length, then every name and
 * shape against the network — before copying anything, so on any error the network is unchanged.
 */
public final class ParameterFile {

    public static final String MAGIC = "JGLNPARM";

    private ParameterFile() {}

    /** Writes {@code params} (structural name → parameter); every one must be initialised. */
    public static void save(Path file, Map<String, Parameter> params) {
        Map<String, TensorFile.Entry> entries = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            Parameter p = e.getValue();
            if (!p.isInitialized()) {
                throw new IllegalStateException("save_parameters: parameter '" + p.name() + "' " + Shapes.str(p.shape())
                        + " is not initialized yet (call initialize() and run one forward pass first)");
            }
            Tensor t = p.data();
            entries.put(e.getKey(), new TensorFile.Entry(t.shape(), t.toArray()));
        }
        TensorFile.write(file, MAGIC, entries);
    }

    /** Loads {@code file} into {@code params} (structural name → parameter); all or nothing. */
    public static void load(Path file, Map<String, Parameter> params, boolean allowMissing, boolean ignoreExtra) {
        apply(TensorFile.read(file, MAGIC, "jgluon parameter"), file.toString(), params, allowMissing, ignoreExtra);
    }

    /** As {@link #load(Path, Map, boolean, boolean)} from the bytes of a file; {@code source} names it in errors. */
    public static void load(byte[] bytes, String source, Map<String, Parameter> params, boolean allowMissing, boolean ignoreExtra) {
        apply(TensorFile.parse(bytes, source, MAGIC, "jgluon parameter"), source, params, allowMissing, ignoreExtra);
    }

    private static void apply(Map<String, TensorFile.Entry> stored, String file, Map<String, Parameter> params,
                              boolean allowMissing, boolean ignoreExtra) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            Parameter p = e.getValue();
            TensorFile.Entry s = stored.get(e.getKey());
            if (s == null) {
                if (!allowMissing) {
                    problems.add("parameter '" + e.getKey() + "' (" + p.name() + ", shape " + Shapes.str(p.shape())
                            + ") is missing from the file (allow_missing=true keeps the network's value)");
                }
            } else if (!compatible(p.shape(), s.shape())) {
                problems.add("parameter '" + e.getKey() + "' (" + p.name() + ") has shape " + Shapes.str(s.shape())
                        + " in the file but " + Shapes.str(p.shape()) + " in the network");
            }
        }
        if (!ignoreExtra) {
            for (Map.Entry<String, TensorFile.Entry> s : stored.entrySet()) {
                if (!params.containsKey(s.getKey())) {
                    problems.add("the file has parameter '" + s.getKey() + "' (shape " + Shapes.str(s.getValue().shape())
                            + ") that the network does not have (ignore_extra=true skips it)");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("load_parameters: " + file + " does not fit this network; nothing was loaded:\n  "
                    + String.join("\n  ", problems.subList(0, Math.min(10, problems.size())))
                    + (problems.size() > 10 ? "\n  ... and " + (problems.size() - 10) + " more" : ""));
        }
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            TensorFile.Entry s = stored.get(e.getKey());
            if (s != null) e.getValue().setData(Tensor.wrap(s.data(), s.shape()));
        }
    }

    /** Same rank, and every extent the network already knows (non-zero) equal. */
    private static boolean compatible(int[] network, int[] file) {
        if (network.length != file.length) return false;
        for (int i = 0; i < network.length; i++) if (network[i] > 0 && network[i] != file[i]) return false;
        return true;
    }
}
