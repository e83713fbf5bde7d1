package org.jgluon.repl.report;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.jgluon.engine.Machine;
import org.jgluon.engine.Parallel;
import org.jgluon.engine.Tensor;

/** What a run's numbers depend on besides its settings: the engine version and the machine. */
final class MachineInfo {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private MachineInfo() {}

    static Map<String, Object> engine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "jgluon");
        m.put("version", engineVersion());
        String commit = gitCommit();
        if (commit != null) m.put("commit", commit);
        return m;
    }

    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("threads", Parallel.threads());
        m.put("vector_bits", SPECIES.vectorBitSize());
        m.put("vector_floats", SPECIES.length());
        String cpu = cpuModel();
        if (cpu != null) m.put("cpu", cpu);
        m.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        return m;
    }

    /** The engine jar's Maven version (the launcher runs from jars); "unknown" when run from classes. */
    static String engineVersion() {
        String v = Tensor.class.getPackage().getImplementationVersion();
        if (v != null) return v;
        try (InputStream in = Tensor.class.getResourceAsStream("/META-INF/maven/org.jgluon/jgluon-engine/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                if (p.getProperty("version") != null) return p.getProperty("version");
            }
        } catch (IOException ignored) {
            // fall through
        }
        return System.getProperty("jgluon.version", "unknown");
    }

    /** The source commit, when run from a git checkout (the launcher passes -Djgluon.home). */
    static String gitCommit() {
        String home = System.getProperty("jgluon.home");
        if (home == null || !Files.exists(Path.of(home, ".git"))) return null;
        try {
            Process p = new ProcessBuilder("git", "-C", home, "describe", "--always", "--dirty")
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(3, TimeUnit.SECONDS)) {
                p.destroy();
                return null;
            }
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.exitValue() == 0 && !out.isEmpty() ? out : null;
        } catch (IOException e) {
            return null; // no git on this machine: the version alone must do
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    static String cpuModel() {
        return Machine.cpuModel();
    }
}
