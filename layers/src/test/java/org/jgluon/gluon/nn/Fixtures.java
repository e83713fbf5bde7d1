package org.jgluon.gluon.nn;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jgluon.engine.Tensor;

/** Reads a fixture written by {@code layers/src/test/fixtures/gen_fixtures.py}: name, shape, values per line. */
final class Fixtures {
    private Fixtures() {}

    static Map<String, Tensor> load(String name) {
        String text;
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + name + ".txt")) {
            if (in == null) throw new IllegalStateException("missing fixture " + name + "; run gen_fixtures.py");
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] parts = line.split("\t");
            String[] dims = parts[1].split(",");
            int[] shape = new int[dims.length];
            for (int i = 0; i < dims.length; i++) shape[i] = Integer.parseInt(dims[i]);
            String[] vals = parts[2].trim().split(" ");
            float[] data = new float[vals.length];
            for (int i = 0; i < vals.length; i++) data[i] = Float.parseFloat(vals[i]);
            out.put(parts[0], Tensor.wrap(data, shape));
        }
        return out;
    }
}
